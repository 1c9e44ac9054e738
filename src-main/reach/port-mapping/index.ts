// The port mapper's public entry: the CLI and the app service import only this.
export { PortMapper, type PortMapperOptions } from './port-mapper.js';
export { upnpMappingEntry, findUpnpGateway, type UpnpGateway } from './upnp-gateway.js';

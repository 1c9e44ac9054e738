// The readers of what a UPnP gateway says: SSDP answers, device descriptions, SOAP replies.
import { describe, expect, it } from 'vitest';
import { DescriptionError, wanServiceFrom } from '../igd-description.js';
import { parseSoapReply, soapEnvelope, SoapError, UpnpError } from '../soap-call.js';
import { parseSsdpReply } from '../ssdp-search.js';

const IGD = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';

function ssdp(lines: string[]): Buffer {
  return Buffer.from([...lines, '', ''].join('\r\n'));
}

describe('parseSsdpReply', () => {
  it('takes the LOCATION of a gateway answer that points back at the sender', () => {
    const reply = parseSsdpReply(
      ssdp(['HTTP/1.1 200 OK', `ST: ${IGD}`, 'Location: http://192.168.1.1:5000/rootDesc.xml']),
      '192.168.1.1',
    );
    expect(reply?.location.href).toBe('http://192.168.1.1:5000/rootDesc.xml');
  });

  it.each([
    ['another host', ['HTTP/1.1 200 OK', `ST: ${IGD}`, 'LOCATION: http://10.0.0.9/d.xml']],
    ['https or another scheme', ['HTTP/1.1 200 OK', `ST: ${IGD}`, 'LOCATION: file:///etc/passwd']],
    ['not a gateway', ['HTTP/1.1 200 OK', 'ST: upnp:rootdevice', 'LOCATION: http://192.168.1.1/d.xml']],
    ['no location', ['HTTP/1.1 200 OK', `ST: ${IGD}`]],
    ['not a reply', ['NOTIFY * HTTP/1.1', `ST: ${IGD}`, 'LOCATION: http://192.168.1.1/d.xml']],
    ['a bad URL', ['HTTP/1.1 200 OK', `ST: ${IGD}`, 'LOCATION: http://[zz/']],
  ])('ignores %s', (_what, lines) => {
    expect(parseSsdpReply(ssdp(lines), '192.168.1.1')).toBeNull();
  });

  it('ignores oversized datagrams', () => {
    const big = ssdp(['HTTP/1.1 200 OK', `ST: ${IGD}`, 'LOCATION: http://192.168.1.1/d.xml', `X: ${'a'.repeat(3000)}`]);
    expect(parseSsdpReply(big, '192.168.1.1')).toBeNull();
  });
});

function description(services: [type: string, control: string][], urlBase = ''): string {
  const list = services
    .map(
      ([type, control]) => `<service><serviceType>${type}</serviceType><controlURL>${control}</controlURL></service>`,
    )
    .join('');
  return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${urlBase}<device><deviceList><device><serviceList>${list}</serviceList></device></deviceList></device></root>`;
}

describe('wanServiceFrom', () => {
  const location = new URL('http://192.168.1.1:5000/rootDesc.xml');

  it('prefers WANIPConnection:2 and resolves its control URL against the location', () => {
    const service = wanServiceFrom(
      description([
        ['urn:schemas-upnp-org:service:WANIPConnection:1', '/ctl/IP1'],
        ['urn:schemas-upnp-org:service:WANIPConnection:2', '/ctl/IPConn'],
      ]),
      location,
    );
    expect(service).toMatchObject({ version: 2, serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2' });
    expect(service.controlUrl.href).toBe('http://192.168.1.1:5000/ctl/IPConn');
  });

  it('falls back to v1 services (WANPPPConnection too), honouring URLBase', () => {
    const service = wanServiceFrom(
      description(
        [['urn:schemas-upnp-org:service:WANPPPConnection:1', 'ctl/PPP']],
        '<URLBase>http://192.168.1.1:5000/base/</URLBase>',
      ),
      location,
    );
    expect(service.version).toBe(1);
    expect(service.controlUrl.href).toBe('http://192.168.1.1:5000/base/ctl/PPP');
  });

  it('refuses a control URL on another host, and a description without a WAN service', () => {
    expect(() =>
      wanServiceFrom(
        description([['urn:schemas-upnp-org:service:WANIPConnection:1', 'http://evil.example/x']]),
        location,
      ),
    ).toThrow(DescriptionError);
    expect(() =>
      wanServiceFrom(description([['urn:schemas-upnp-org:service:Layer3Forwarding:1', '/l3']]), location),
    ).toThrow(/no WAN connection service/);
  });
});

describe('SOAP', () => {
  it('escapes arguments in the envelope', () => {
    const xml = soapEnvelope('urn:x', 'AddPortMapping', { NewPortMappingDescription: 'a<b>&"c"' });
    expect(xml).toContain('<NewPortMappingDescription>a&#60;b&#62;&#38;&#34;c&#34;</NewPortMappingDescription>');
  });

  it('reads the output arguments of a response', () => {
    const xml =
      '<s:Envelope xmlns:s="s"><s:Body><u:AddAnyPortMappingResponse xmlns:u="x"><NewReservedPort>8000</NewReservedPort></u:AddAnyPortMappingResponse></s:Body></s:Envelope>';
    expect(parseSoapReply(200, xml, 'AddAnyPortMapping')).toEqual({ NewReservedPort: '8000' });
  });

  it('turns a fault into a UpnpError with its code (725: only permanent leases)', () => {
    const xml =
      '<s:Envelope xmlns:s="s"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>725</errorCode><errorDescription>OnlyPermanentLeasesSupported</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>';
    const error = (() => {
      try {
        parseSoapReply(500, xml, 'AddPortMapping');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(UpnpError);
    expect(error).toMatchObject({ code: 725, description: 'OnlyPermanentLeasesSupported' });
  });

  it('refuses a reply without the response element, or unreadable', () => {
    expect(() => parseSoapReply(200, '<a/>', 'GetExternalIPAddress')).toThrow(SoapError);
    expect(() => parseSoapReply(500, '<a/>', 'GetExternalIPAddress')).toThrow(/HTTP 500/);
    expect(() => parseSoapReply(200, 'not xml', 'GetExternalIPAddress')).toThrow(/unreadable/);
  });
});

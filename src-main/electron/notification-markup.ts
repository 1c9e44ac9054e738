// On Linux, Electron hands a notification's body to the desktop's notification server, which reads it
// as the Desktop Notifications markup (<b>, <i>, <u>, <a href>, <img src> on some desktops). A peer's
// "<a href=…>" would become a link that skips our link rules and "<img src=…>" could fetch from the
// network, so there the body's markup characters are written as entities. macOS and Windows show the
// body as plain text already: entities would show literally, so it is left alone.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** The notification body to hand to Electron on `platform`: shown as text, never read as markup. */
export function notificationBody(text: string, platform: NodeJS.Platform): string {
  if (platform !== 'linux') return text;
  return text.replace(/[&<>]/gu, (c) => ENTITIES[c] ?? c);
}

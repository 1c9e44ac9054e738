// Open connections per IP: the count behind the per-IP connection caps. An IP with none left is
// forgotten, so the map holds only IPs with connections open.
export class IpCounts {
  private readonly counts = new Map<string, number>();

  of(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  add(ip: string): void {
    this.counts.set(ip, this.of(ip) + 1);
  }

  remove(ip: string): void {
    const left = this.of(ip) - 1;
    if (left <= 0) this.counts.delete(ip);
    else this.counts.set(ip, left);
  }
}

/**
 * The URL platforms reach this hub at, and so the webhook URL each channel registers with its
 * platform (`<PUBLIC_URL>/webhooks/<channelId>`). eBay hashes this exact string into its
 * endpoint challenge, so it is formed in this one place. Unset, it is `http://<HOST>:<PORT>`
 * with the port the server actually bound (PORT=0 picks one), known once it listens.
 */
export class PublicUrl {
  private boundPort: number | null = null;

  constructor(
    private readonly configured: string | null,
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Called once the server listens: the default URL carries the bound port. */
  bind(port: number): void {
    this.boundPort = port;
  }

  get base(): string {
    if (this.configured) return this.configured;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort ?? this.port}`;
  }

  webhookUrl(channelId: string): string {
    return `${this.base}/webhooks/${encodeURIComponent(channelId)}`;
  }
}

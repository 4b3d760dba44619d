/**
 * Decrypted webhook secrets, one per channel, kept only while the channel row still holds the
 * ciphertext they came from. The inbox reads the row on every delivery anyway (enabled,
 * disconnected), so a rotation or any credentials change (a new ciphertext: every seal draws a
 * fresh IV) is seen by the next delivery; what is saved is the AES-GCM decrypt and JSON parse
 * per request. In process memory only: never logged, never sent anywhere.
 */
export class WebhookSecretCache {
  private readonly entries = new Map<string, { ciphertext: string; secret: string }>();

  /**
   * @param open decrypts a row's ciphertext to its webhook secret; throws when there is none or it cannot be opened
   * @param maxChannels bound on the entries; the oldest entry makes room (more channels than this only costs decrypts)
   */
  constructor(
    private readonly open: (channelId: string, ciphertext: string | null) => string,
    private readonly maxChannels = 1_000,
  ) {}

  secretOf(channelId: string, ciphertext: string | null): string {
    const cached = this.entries.get(channelId);
    if (cached && ciphertext !== null && cached.ciphertext === ciphertext) return cached.secret;
    // Stale or missing: drop it first, so a failed decrypt leaves nothing usable behind.
    this.entries.delete(channelId);
    const secret = this.open(channelId, ciphertext);
    if (ciphertext === null) return secret;
    if (this.entries.size >= this.maxChannels) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(channelId, { ciphertext, secret });
    return secret;
  }

  get size(): number {
    return this.entries.size;
  }
}

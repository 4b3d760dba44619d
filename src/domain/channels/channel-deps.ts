/** What the channel services need from the composition root: the key and the endpoint rule. */
export interface ChannelDeps {
  /** SWITCHYARD_ENCRYPTION_KEY (or the embedded development key): 32 bytes. */
  encryptionKey: Buffer;
  /** True in production: endpoint overrides must be https. */
  httpsOnlyEndpoints: boolean;
}

/**
 * Asks for a pull of a channel's orders (the jobs layer adds a job); returns the job's id. The
 * domain never sees the queue: like PingDispatcher, the hub implements it.
 */
export interface ChannelSyncPort {
  requestSync(channelId: string, since: Date | null): Promise<string>;
}

/**
 * The topic (a Redis channel beside the outbox topics) on which channel-sync jobs report how far
 * a pull has come, for the `syncProgress` subscription. Progress is transient, so it is not an
 * outbox row: a lost message is superseded by the next one.
 */
export const SYNC_PROGRESS_TOPIC = 'channel.sync_progress';

export interface SyncProgress {
  channelId: string;
  pulled: number;
  created: number;
  updated: number;
  unchanged: number;
  held: number;
  /** True on the last message of a pull. */
  done: boolean;
}

import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn, TimestampColumn, UpdatedAtColumn, UuidColumn } from '../../../database/columns';

/**
 * A connection of the connections API: one customer's WhatsApp link. The link itself is a
 * native session (`session_id`); this row adds the customer and the current connection token.
 */
@Entity('compat_connection')
export class CompatConnectionEntity {
  /** The connection id clients know (`data.connection.id`), also the `sub` of its connection token. */
  @PrimaryColumn({ type: 'uuid' }) id: string;

  /** The client's own customer id: one connection per customer; a new request for it resets the connection. */
  @TextColumn({ name: 'customer_id', unique: true }) customerId: string;
  @TextColumn({ name: 'customer_name' }) customerName: string;
  @TextColumn({ name: 'website_url', nullable: true }) websiteUrl: string | null;
  @TextColumn({ name: 'session_id' }) sessionId: string;

  /** The live connection token (an API token; only its hash is stored, by the auth module). */
  @UuidColumn({ name: 'token_id', nullable: true }) tokenId: string | null;

  /** Set by the API's logout (the connection is stale until activated); cleared by activate and request. */
  @TimestampColumn({ name: 'logged_out_at', nullable: true }) loggedOutAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}

/**
 * The helper line protocol, without processes or pools: reply framing
 * ({@link io.procmaster.helper.wire.LineFramer}), request/reply wire format and channel ids
 * ({@link io.procmaster.helper.wire.WireFormat}, {@link io.procmaster.helper.ChannelIdDialect}) and
 * reply parsing as Squid 5.7 reads replies ({@link io.procmaster.helper.wire.HelperReplyParser}), and
 * which requests a helper kind's framing allows ({@link io.procmaster.helper.wire.RequestFraming}:
 * bodies, the end-of-message byte), all on bytes: lines leave the framer as slices, nothing is
 * decoded on the loop. {@link io.procmaster.helper.wire.ReplyFactory} is the parser's way to build a
 * reply (not public API: this package is not exported), {@link io.procmaster.helper.wire.ReplyText}
 * the decoding of reply bytes for String views and logs. See {@code docs/helpers.md} ("Squid reads → procmaster reads").
 *
 * <p>Public: those, for the pool engine and {@code helper.process.HelperOutput}. Imports nothing
 * of the other helper packages except the reply value type {@link io.procmaster.helper.HelperReply}
 * it parses into and the {@link io.procmaster.helper.HelperKind} whose framing it checks.
 */
package io.procmaster.helper.wire;

import io.procmaster.helper.ChannelIdDialect;

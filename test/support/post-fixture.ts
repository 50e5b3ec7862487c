/**
 * A small domain with a command post and gateways, and a test gateway that speaks the post
 * link directly (handshake, sealed messages, wire frames) so tests and bench/post can drive
 * a real CommandPost without a simulated mesh. Node only.
 */
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { nodeAuthoritySigner } from "picket/tools/provisioning/node-signer";
import { Domain } from "picket/tools/provisioning/domain-store";
import { openBundle } from "picket/provisioning/keystore";
import { type PostLinkChannel, type PostLinkIdentity, PostLinkInitiator, PostLinkType } from "picket/gateway/post-link";
import { type PostMessage, decodePostMessage, encodePostMessage } from "picket/gateway/post-messages";
import { WireDecoder, encodeWireFrame } from "picket/gateway/wire-frame";
import type { PostDevice } from "picket/tools/post/command-post";

export interface PostFixture {
	readonly domain: Domain;
	readonly postId: number;
	readonly gatewayIds: readonly number[];
	readonly sensorId: number;
	readonly responderId: number;
	readonly devices: PostDevice[];
	identity(id: number): PostLinkIdentity;
}

export function createPostFixture(gateways = 1): PostFixture {
	const crypto = createNodeCryptoSuite();
	const domain = Domain.create({ groups: { intrusion: 0 }, crypto, signer: nodeAuthoritySigner });
	const sensorId = domain.addDevice({ role: "sensor", groups: ["intrusion"] }).id;
	const responderId = domain.addDevice({ role: "responder", groups: ["intrusion"] }).id;
	const gatewayIds = Array.from({ length: gateways }, () => domain.addDevice({ role: "gateway", groups: ["intrusion"] }).id);
	const postId = domain.addDevice({ role: "post", groups: [] }).id;
	const devices = domain.members().map((member, i) => ({ id: member.id, name: `${member.role}-${member.id}`, role: member.role, groups: member.groups, x: i * 10, y: 0 }));
	return {
		domain,
		postId,
		gatewayIds,
		sensorId,
		responderId,
		devices,
		identity(id) {
			const credentials = openBundle(domain.bundle(id), crypto);
			return { crypto, domainId: credentials.domainId, memberId: id, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster };
		},
	};
}

/** A gateway reduced to its link: call `hello()` first, then `seal()` messages; `receive()` what the post writes. */
export class TestGateway {
	readonly #initiator: PostLinkInitiator;
	#channel: PostLinkChannel | undefined;
	readonly #decoder = new WireDecoder();
	/** The post's latest "stored" count, and every other message it sent. */
	stored = 0;
	readonly received: PostMessage[] = [];

	constructor(identity: PostLinkIdentity, postId: number) {
		this.#initiator = new PostLinkInitiator(identity, postId);
	}

	get connected(): boolean {
		return this.#channel !== undefined;
	}

	hello(): Uint8Array {
		return encodeWireFrame(PostLinkType.Message1, this.#initiator.message1);
	}

	seal(message: PostMessage): Uint8Array {
		if (this.#channel === undefined) throw new RangeError("not connected");
		return encodeWireFrame(PostLinkType.Transport, this.#channel.seal(encodePostMessage(message)));
	}

	receive(bytes: Uint8Array): void {
		for (const frame of this.#decoder.push(bytes)) {
			if (frame.type === PostLinkType.Message2) this.#channel = this.#initiator.finish(frame.body);
			else if (frame.type === PostLinkType.Transport && this.#channel !== undefined) {
				const message = decodePostMessage(this.#channel.open(frame.body));
				if (message.kind === "stored") this.stored = message.reports;
				else this.received.push(message);
			}
		}
	}
}

/** An alert message as a gateway reports it. */
export function alertMessage(source: number, sequence: number, incident = 1): PostMessage {
	return { kind: "alert", source, sequence, group: 0, hops: 1, event: 1, severity: 1, incident, repeat: 0 };
}

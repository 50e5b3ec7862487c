/**
 * Handshake patterns as data (Noise rev 34 §7.2 one-way and §7.4 interactive fundamental
 * patterns) and the "psk" modifier (§9.2) that places "psk" tokens into them.
 *
 * Picket runs only KKpsk0; the other base patterns are here because they cost a line each
 * and let the engine be checked against every published PSK vector.
 */
import { PicketError } from "picket/core/picket-error";
import type { NoiseErrorCode } from "picket/link/noise/noise-functions";

export type Token = "e" | "s" | "ee" | "es" | "se" | "ss" | "psk";
/** Pre-message tokens: the fundamental patterns only ever pre-share static keys. */
export type PreMessageToken = "s";

export interface HandshakePattern {
	/** The pattern's name in the protocol name, modifiers included: "KKpsk0". */
	readonly name: string;
	/** Initiator's then responder's pre-message (§7.1: "->" first, then "<-"). */
	readonly initiatorPreMessage: readonly PreMessageToken[];
	readonly responderPreMessage: readonly PreMessageToken[];
	/** Message patterns; even indices are sent by the initiator, odd by the responder (one-way: initiator only). */
	readonly messages: readonly (readonly Token[])[];
	/** True for the one-way patterns N, K, X (§7.2). */
	readonly oneWay: boolean;
}

type BasePattern = Omit<HandshakePattern, "name">;

const one = (initiator: PreMessageToken[], responder: PreMessageToken[], ...messages: Token[][]): BasePattern => ({
	initiatorPreMessage: initiator,
	responderPreMessage: responder,
	messages,
	oneWay: true,
});
const two = (initiator: PreMessageToken[], responder: PreMessageToken[], ...messages: Token[][]): BasePattern => ({
	initiatorPreMessage: initiator,
	responderPreMessage: responder,
	messages,
	oneWay: false,
});

/** §7.2 and §7.4, written in the spec's order. */
const BASE_PATTERNS: Readonly<Record<string, BasePattern>> = {
	N: one([], ["s"], ["e", "es"]),
	K: one(["s"], ["s"], ["e", "es", "ss"]),
	X: one([], ["s"], ["e", "es", "s", "ss"]),
	NN: two([], [], ["e"], ["e", "ee"]),
	NK: two([], ["s"], ["e", "es"], ["e", "ee"]),
	NX: two([], [], ["e"], ["e", "ee", "s", "es"]),
	XN: two([], [], ["e"], ["e", "ee"], ["s", "se"]),
	XK: two([], ["s"], ["e", "es"], ["e", "ee"], ["s", "se"]),
	XX: two([], [], ["e"], ["e", "ee", "s", "es"], ["s", "se"]),
	KN: two(["s"], [], ["e"], ["e", "ee", "se"]),
	KK: two(["s"], ["s"], ["e", "es", "ss"], ["e", "ee", "se"]),
	KX: two(["s"], [], ["e"], ["e", "ee", "se", "s", "es"]),
	IN: two([], [], ["e", "s"], ["e", "ee", "se"]),
	IK: two([], ["s"], ["e", "es", "s", "ss"], ["e", "ee", "se"]),
	IX: two([], [], ["e", "s"], ["e", "ee", "se", "s", "es"]),
};

/**
 * The pattern named `name`, e.g. "KKpsk0" or "XXpsk3", with its psk modifiers applied
 * (§9.2: "psk0" puts "psk" at the start of the first message, "pskN" at the end of message N).
 */
export function handshakePattern(name: string): HandshakePattern {
	const match = /^([A-Z]{1,2})((?:psk\d)(?:\+psk\d)*)?$/.exec(name);
	const base = match === null ? undefined : BASE_PATTERNS[match[1]];
	if (match === null || base === undefined) throw new PicketError<NoiseErrorCode>("bad-pattern", name);
	const messages = base.messages.map((tokens) => tokens.slice());
	for (const modifier of match[2] === undefined ? [] : match[2].split("+")) {
		const position = Number(modifier.slice(3));
		if (position === 0) messages[0].unshift("psk");
		else if (position <= messages.length) messages[position - 1].push("psk");
		else throw new PicketError<NoiseErrorCode>("bad-pattern", `${name}: no message ${position}`);
	}
	return { ...base, name, messages };
}

/** The pattern constant Picket uses (§7.4 KK with §9.2 psk0). */
export const KKPSK0: HandshakePattern = handshakePattern("KKpsk0");

/** True when the pattern has a "psk" token: then every "e" also calls MixKey (§9.2). */
export function isPskPattern(pattern: HandshakePattern): boolean {
	return pattern.messages.some((tokens) => tokens.includes("psk"));
}

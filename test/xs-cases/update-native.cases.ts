/**
 * The board's update check over the native PSA suite, as on the ESP32: streaming SHA-256 from
 * the static PSA pool and ECDSA verify of the digest (test/support/update-acceptance-cases.ts).
 * XS only: the native binding is declared in XS syntax.
 */
import { createNativeSuite } from "picket/crypto/native-suite";
import { updateAcceptanceCases } from "picket/test/support/update-acceptance-cases";

export default updateAcceptanceCases("update/acceptance (native)", () => createNativeSuite());

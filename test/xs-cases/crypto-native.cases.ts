/**
 * The provider-independent vector and tamper cases (picket/test/support/crypto-vector-cases)
 * on the native provider: C over Mbed TLS's PSA API, through the host XS runtime. XS only,
 * since the binding is declared in XS syntax.
 */
import { createNativeSuite } from "picket/crypto/native-suite";
import { cryptoVectorCases } from "picket/test/support/crypto-vector-cases";

export default cryptoVectorCases("crypto/native", () => createNativeSuite());

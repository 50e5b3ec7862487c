import { createSoftwareSuite } from "picket/crypto/software-suite";
import { cryptoVectorCases } from "picket/test/support/crypto-vector-cases";
import { createSeededRandom } from "picket/test/support/seeded-random";

export default cryptoVectorCases("crypto/software", () => createSoftwareSuite(createSeededRandom(0x5eed)));

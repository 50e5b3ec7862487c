/** The board's update check over the software suite, on Node and on XS (test/support/update-acceptance-cases.ts). */
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";
import { updateAcceptanceCases } from "picket/test/support/update-acceptance-cases";

export default updateAcceptanceCases("update/acceptance (software)", () => createSoftwareSuite(createSeededRandom(7)));

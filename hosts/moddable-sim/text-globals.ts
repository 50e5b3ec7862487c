/**
 * Installs Moddable's TextEncoder/TextDecoder as globals, as browsers and Node have them:
 * @noble's modules encode constant labels when they are imported. target-host imports
 * this module first, so it runs before the software suite (ES modules evaluate in import
 * order, depth first).
 */
import TextDecoder from "text/decoder";
import TextEncoder from "text/encoder";

const scope = globalThis as { TextEncoder?: unknown; TextDecoder?: unknown };
scope.TextEncoder ??= TextEncoder;
scope.TextDecoder ??= TextDecoder;

// Korean particles (조사) after numbers in demo sentences: josa("93.5%", "을/를") -> "93.5%를".
// The JavaScript twin of code/nnbook/korean.py (same rules, same tables; tests/browser/test_korean_js.py holds
// them equal on the same inputs). The particle follows how the value is *read*: digits in Sino-Korean
// (영 일 이 삼 사 오 육 칠 팔 구), an integer by its largest unit (10 십, 100 백, 10,000 만), decimals digit by
// digit ("0.50" = 영 점 오 영), "%" as 퍼센트. es-hangul (npm, vendored by scripts/vendor.sh) reads integers
// and picks the particle; this module only finds the part of a value that is read last.
import { josa as esJosa, numberToHangul } from "../vendor/es-hangul/es-hangul.mjs";

export const PARTICLES = ["이/가", "을/를", "은/는", "으로/로", "와/과", "이나/나", "이란/란", "이라/라", "이에요/예요",
  "으로서/로서", "으로써/로써", "으로부터/로부터"];
const DIGITS = "영일이삼사오육칠팔구";
// how a unit or symbol written after a number is read (only its last syllable matters)
const UNITS = { "%": "퍼센트", "%p": "퍼센트포인트", px: "픽셀", ms: "밀리초", s: "초", "µs": "마이크로초",
  KB: "킬로바이트", MB: "메가바이트", GB: "기가바이트", "×": "배", x: "배", "°": "도" };
const NUMBER = /([+\-−]?[\d,]*\.?\d+(?:[eE][+\-−]?\d+)?)\s*(%p|%|px|ms|µs|s|KB|MB|GB|×|x|°)?$/;

/**
 * The Korean reading of the end of `text` (enough to choose a particle).
 * @param {string} text a formatted value ("0.50", "93.5%", "60,000", "1e-06"), a Hangul word, or an all-capital
 *   Latin abbreviation
 * @returns {string} Hangul whose last syllable is how `text` ends when read aloud
 * @throws {Error} for an empty text or an ending this module cannot read (e.g. a lower-case Latin word)
 */
export function reading(text) {
  text = String(text).trim();
  if (!text) throw new Error("empty text has no reading");
  const m = NUMBER.exec(text);
  if (m) {
    const [, raw, unit] = m;
    if (unit) return UNITS[unit];
    const number = raw.replaceAll(",", "").replace("−", "-");
    if (/[eE]/.test(number) || number.includes(".")) return DIGITS[Number(number.at(-1))];  // digit by digit
    return numberToHangul(Math.abs(parseInt(number, 10)));
  }
  const last = text.at(-1);
  if (last >= "가" && last <= "힣") return last;
  const word = text.split(/\s+/).at(-1);
  if (/^[A-Z]+$/.test(word)) return word;                        // es-hangul reads all-capital abbreviations
  throw new Error(`cannot tell how "${text}" is read; write the particle by hand`);
}

/**
 * `text` followed by the form of `particle` that fits how `text` is read.
 * @param {string|number} text see reading(); a number is used as written by String()
 * @param {string} particle one of PARTICLES, e.g. "을/를"
 * @returns {string} e.g. josa("0.50", "으로/로") === "0.50으로", josa("93.5%", "을/를") === "93.5%를"
 * @throws {Error} for an unknown particle or an unreadable text
 */
export function josa(text, particle) {
  if (!PARTICLES.includes(particle)) throw new Error(`unknown particle "${particle}"; use one of ${PARTICLES.join(" ")}`);
  text = String(text);
  const said = reading(text);
  if (/^[A-Z]+$/.test(said)) return text + esJosa(said, particle).slice(said.length);
  return text + esJosa.pick(said, particle);
}

/* Certificate verification in the browser: no server, no database.
 *
 * The QR code opens  <this page>#<payload>.<signature>  (base64url, no padding). The payload is
 * UTF-8 text "1|number|name|round|YYYYMMDD|YYYYMMDD"; the signature is Ed25519 over
 * "XATN-CERT-SIG-1\n" + payload, checked against keys.json. revoked.json lists revoked numbers,
 * signed with the site's key: a list whose signature fails is not used (状态 badlist 无法查验).
 * Without a QR code, the form takes 证书编号 and 姓名: lookup.json (pipeline/registry/lookup.py) holds each
 * certificate's token encrypted under a slow hash of both, and the token found is checked as if scanned;
 * a wrong name and an unknown number both say 未查到 (notfound).
 * Every value is shown with textContent: nothing from the URL is ever treated as markup.
 *
 * The signature is checked with WebCrypto's Ed25519 where the browser has it; otherwise (WeChat's
 * in-app browser, older engines, pages on plain http without crypto.subtle) with the vendored,
 * audited @noble/ed25519, whose SHA-512 comes from WebCrypto's digest where crypto.subtle exists
 * and from the vendored @noble/hashes otherwise. The vendored files are loaded only when needed.
 *
 * States (data-status): valid 有效, notyet 尚未生效, expired 已期满, revoked 已撤销, forged 无效,
 * demo 演示证书 (signed with the demo key: never shown as 有效), notfound 未查到, badlist (revocation list
 * not trusted), and none / pending / unsupported / unknown.
 * A key is a demo key when keys.json says so or when it is one of DEMO_KEYS (the shipped demo keys,
 * pipeline/core/signing.py DEMO_KEY_FINGERPRINTS): a site that publishes a demo key as real still says 演示证书.
 */
const DOMAIN = new TextEncoder().encode("XATN-CERT-SIG-1\n");
const DEMO_KEYS = [
  "6B8OmgKocxzd2jdkrYlSUVEBJMM6ICG1FM6Mqizqan4="  // SHA-256 916353c3…: the demo key of pipeline/core/signing.py
];
const TITLES = {
  valid: "有效", notyet: "尚未生效", expired: "已期满", revoked: "已撤销", forged: "无效", demo: "演示证书",
  none: "请扫码", unsupported: "无法查验", unknown: "暂时无法查验", badlist: "无法查验", notfound: "未查到",
  pending: "正在查询……"
};

function $(id) { return document.getElementById(id); }

function fromBase64(text, url) {
  if (url) {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) { throw new Error("bad base64url"); }
    text = text.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) { text += "="; }
  }
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
  return out;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function readToken() {
  let text = location.hash.replace(/^#/, "");
  if (!text) { text = new URLSearchParams(location.search).get("c") || ""; }
  try { text = decodeURIComponent(text); } catch (e) { /* keep as is */ }
  return text.trim();
}

function cnDate(text) {
  const digits = text.replace(/-/g, "");
  return digits.slice(0, 4) + "年" + Number(digits.slice(4, 6)) + "月" + Number(digits.slice(6, 8)) + "日";
}

function todayInChina() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit"
  }).formatToParts(new Date());
  const get = (type) => parts.filter((p) => p.type === type)[0].value;
  return get("year") + get("month") + get("day");
}

function parsePayload(bytes) {
  let text;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { return null; }
  const f = text.split("|");
  if (f.length !== 6 || f[0] !== "1" || !/^\d{4}$/.test(f[3]) || !/^\d{8}$/.test(f[4]) || !/^\d{8}$/.test(f[5])) {
    return null;
  }
  return { number: f[1], name: f[2], round: f[3], start: f[4], end: f[5] };
}

/* ---- Ed25519: WebCrypto first, the vendored @noble/ed25519 where WebCrypto cannot ---------------- */

let engine = null;  // "webcrypto" | "noble+webcrypto-sha512" | "noble+noble-sha512", chosen on first use

async function webcryptoVerify(publicKey, signature, message) {
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

let noble = null;

async function loadNoble() {
  if (noble) { return noble; }
  const ed = await import("./vendor/noble-ed25519/index.js");
  let subtleDigest = false;
  if (globalThis.crypto && globalThis.crypto.subtle && typeof globalThis.crypto.subtle.digest === "function") {
    try {
      await globalThis.crypto.subtle.digest("SHA-512", new Uint8Array(0));
      subtleDigest = true;
    } catch (e) { /* no usable digest: the vendored SHA-512 below */ }
  }
  if (!subtleDigest) {
    const { sha512 } = await import("./vendor/noble-hashes/sha2.js");
    ed.hashes.sha512 = sha512;
  }
  noble = { ed: ed, sync: !subtleDigest };
  return noble;
}

async function nobleVerify(publicKey, signature, message) {
  const lib = await loadNoble();
  const opts = { zip215: false };  // RFC 8032 strict, like the issuer's own check
  try {
    return lib.sync ? lib.ed.verify(signature, message, publicKey, opts)
      : await lib.ed.verifyAsync(signature, message, publicKey, opts);
  } catch (e) {
    return false;  // malformed key or signature bytes: not a valid signature
  }
}

async function verifySignature(publicKey, signature, message) {
  if (engine === null) {
    try {
      const ok = await webcryptoVerify(publicKey, signature, message);
      engine = "webcrypto";
      return ok;
    } catch (e) {
      // no crypto.subtle (plain http) or no Ed25519 in it (older engines): the vendored library
      const lib = await loadNoble();
      engine = lib.sync ? "noble+noble-sha512" : "noble+webcrypto-sha512";
    }
  }
  return engine === "webcrypto" ? webcryptoVerify(publicKey, signature, message)
    : nobleVerify(publicKey, signature, message);
}

/* ---- the page ------------------------------------------------------------------------------------ */

const DATE = /\d{4}年\d{1,2}月\d{1,2}日/g;

/* Text into an element, each date ("2030年5月19日") in a no-wrap span so it never breaks across lines. */
function setText(element, text) {
  element.textContent = "";
  let last = 0;
  for (const match of text.matchAll(DATE)) {
    element.append(text.slice(last, match.index));
    const span = document.createElement("span");
    span.className = "date";
    span.textContent = match[0];
    element.append(span);
    last = match.index + match[0].length;
  }
  element.append(text.slice(last));
}

function show(status, message, payload, demo, detailStatus) {
  const main = $("result");
  main.dataset.status = status;
  main.dataset.demo = demo ? "true" : "false";
  if (engine) { main.dataset.engine = engine; }
  $("badge").textContent = TITLES[status];
  setText($("message"), message);
  const details = $("details");
  if (payload) {
    const body = document.body.dataset;
    $("f-number").textContent = payload.number;
    $("f-name").textContent = payload.name;
    $("f-honour").textContent = body.region + payload.round + "年度“" + body.honour + "”";
    setText($("f-term"), cnDate(payload.start) + "至" + cnDate(payload.end));
    $("f-status").textContent = detailStatus || TITLES[status];
    details.hidden = false;
  } else {
    for (const id of ["f-number", "f-name", "f-honour", "f-term", "f-status"]) { $(id).textContent = ""; }
    details.hidden = true;
  }
  $("demo-note").hidden = !demo;
}

async function fetchJson(name) {
  const response = await fetch(name, { cache: "no-store" });
  if (!response.ok) { throw new Error(name + ": HTTP " + response.status); }
  return response.json();
}

const FORGED = "数字签名验证失败：证书内容被篡改，或不是发证机关签发的。请勿相信该证书上的信息，并向发证机关核实。";
const BAD_LIST = "撤销名单（revoked.json）的数字签名验证失败：名单被改动、损坏，或不是发证机关发布的。" +
  "无法确认该证书是否已被撤销，因此不给出查验结论。请稍后再试，或联系发证机关。";
const NOT_FOUND = "未查到——请核对证书编号和姓名（须与证书上印的一致；空格、全角半角、姓名中的间隔号不影响查询）。";
const REVOKED_DOMAIN = new TextEncoder().encode("XATN-REVOKED-SIG-1\n");

function isDemoKey(key) { return key.demo || DEMO_KEYS.indexOf(key.public_key) >= 0; }

async function signerOf(keys, signature, message) {
  for (const key of keys) {
    if (await verifySignature(fromBase64(key.public_key, false), signature, message)) { return key; }
  }
  return null;
}

/* revoked.json: {"list": "<JSON text>", "signature": base64url}; Ed25519 over REVOKED_DOMAIN + the list's
 * UTF-8 bytes, by a key of keys.json. Returns the checked list, or null when it cannot be trusted. */
async function checkedRevocations(file, keys) {
  if (!file || file.schema !== 2 || typeof file.list !== "string" || typeof file.signature !== "string") { return null; }
  let signature;
  try { signature = fromBase64(file.signature, true); } catch (e) { return null; }
  if (signature.length !== 64) { return null; }
  const signer = await signerOf(keys, signature, concat(REVOKED_DOMAIN, new TextEncoder().encode(file.list)));
  if (!signer) { return null; }
  const list = JSON.parse(file.list);
  return { revoked: list.revoked || [], demo: isDemoKey(signer) };
}

/* Checks one QR token ("<payload>.<signature>", from the URL or from lookup.json) and shows the verdict. */
async function verifyToken(token) {
  const match = /^([A-Za-z0-9_-]{8,})\.([A-Za-z0-9_-]{80,90})$/.exec(token);
  if (!match) {
    show("forged", "链接中的查验码不完整或格式不对：证书可能是伪造的，或二维码被改动。", null, false);
    return;
  }
  let data, signature;
  try {
    data = fromBase64(match[1], true);
    signature = fromBase64(match[2], true);
  } catch (e) {
    show("forged", "查验码无法解码：" + FORGED, null, false);
    return;
  }
  if (signature.length !== 64) {
    show("forged", FORGED, null, false);
    return;
  }
  let keys, revokedFile;
  try {
    const loaded = await Promise.all([fetchJson("keys.json"), fetchJson("revoked.json")]);
    keys = loaded[0].keys;
    revokedFile = loaded[1];
  } catch (e) {
    show("unknown", "无法读取发证机关的公钥或撤销名单，请稍后再试，或联系发证机关。", null, false);
    return;
  }
  const message = concat(DOMAIN, data);
  let signer;
  try {
    signer = await signerOf(keys, signature, message);
  } catch (e) {
    show("unsupported", "当前浏览器无法进行数字签名验证。请用系统浏览器（如 Chrome、Safari、Edge 的最新版本）打开本页。",
         null, false);
    return;
  }
  if (!signer) {
    show("forged", FORGED, null, false);
    return;
  }
  const payload = parsePayload(data);
  if (!payload) {
    show("forged", "签名正确，但证书信息的格式无法识别（版本不符）。请联系发证机关。", null, false);
    return;
  }
  const demo = isDemoKey(signer);
  const list = await checkedRevocations(revokedFile, keys);
  if (!list || (list.demo && !demo)) {  // a list signed by the (public) demo key never speaks for a real certificate
    show("badlist", BAD_LIST, null, false);
    return;
  }
  const entry = list.revoked.filter((r) => r.number === payload.number)[0];
  const today = todayInChina();
  let status, text, detail;
  if (entry) {
    status = "revoked";
    text = "该证书已于" + cnDate(entry.date) + "被发证机关撤销，不再有效。";
    detail = "已撤销（" + cnDate(entry.date) + "）";
  } else if (today < payload.start) {
    status = "notyet";
    text = "该证书真实，但任期自" + cnDate(payload.start) + "起才开始，目前尚未生效。";
  } else if (today > payload.end) {
    status = "expired";
    text = "该证书真实，但任期已于" + cnDate(payload.end) + "届满。";
  } else {
    status = "valid";
    text = "该证书真实有效：证书信息与发证机关的数字签名一致，且未被撤销。";
  }
  if (demo) {
    show("demo", "数字签名核对无误，但签发它的是演示密钥：这是演示证书，不能证明任何人获得过该荣誉。",
         payload, true, "演示证书，不具效力（若为正式证书：" + (detail || TITLES[status]) + "）");
    return;
  }
  show(status, text, payload, false, detail);
}

async function run() {
  if (location.protocol === "file:") {
    return;  // opened from disk: nomodule.js explains that the page needs its web address
  }
  const token = readToken();
  if (!token) {
    show("none", "请用手机扫描证书上的二维码打开本页；没有二维码或二维码看不清时，在下方输入证书编号和姓名查询。",
         null, false);
    return;
  }
  await verifyToken(token);
}

/* ---- lookup by 证书编号 + 姓名 (lookup.json; pipeline/registry/lookup.py builds it, same derivation) ------------- */

const LOOKUP_ID = new TextEncoder().encode("XATN-LOOKUP-1 id");
const LOOKUP_KEY = new TextEncoder().encode("XATN-LOOKUP-1 key");
const INVISIBLE = /[\s\u200b\u200c\u200d\u2060\ufeff]+/g;
const DOTS = /[·・•‧∙⋅･.]/g;

function normaliseNumber(text) { return text.normalize("NFKC").replace(INVISIBLE, "").toUpperCase(); }
function normaliseName(text) { return text.normalize("NFKC").replace(INVISIBLE, "").replace(DOTS, ""); }

let kdf = null;  // { pbkdf2(password, salt, iterations), hmac(key, data), name }

async function loadKdf() {
  if (kdf) { return kdf; }
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle && typeof subtle.deriveBits === "function") {
    kdf = {
      name: "webcrypto",
      pbkdf2: async (password, salt, iterations) => {
        const key = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
        return new Uint8Array(await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations },
                                                      key, 256));
      },
      hmac: async (key, data) => {
        const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
        return new Uint8Array(await subtle.sign("HMAC", k, data));
      }
    };
  } else {  // plain http: no crypto.subtle; the vendored, audited @noble/hashes
    const loaded = await Promise.all([import("./vendor/noble-hashes/pbkdf2.js"), import("./vendor/noble-hashes/hmac.js"),
                                      import("./vendor/noble-hashes/sha2.js")]);
    const sha256 = loaded[2].sha256;
    kdf = {
      name: "noble",
      pbkdf2: (password, salt, iterations) => loaded[0].pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32 }),
      hmac: async (key, data) => loaded[1].hmac(sha256, key, data)
    };
  }
  return kdf;
}

function toBase64url(bytes) {
  return btoa(String.fromCharCode.apply(null, Array.from(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function decryptEntry(lib, key, blob) {
  const data = fromBase64(blob, true);
  const nonce = data.slice(0, 16), body = data.slice(16);
  const out = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i += 32) {
    const counter = new Uint8Array([(i / 32) >>> 24, ((i / 32) >>> 16) & 255, ((i / 32) >>> 8) & 255, (i / 32) & 255]);
    const block = await lib.hmac(key, concat(nonce, counter));
    for (let j = 0; j < 32 && i + j < body.length; j++) { out[i + j] = body[i + j] ^ block[j]; }
  }
  return new TextDecoder().decode(out).replace(/ +$/, "");
}

let lookupIndex = null;

async function lookup(number, name) {
  if (!number || !name) {
    show("none", "请填写证书编号和姓名（与证书上印的一致），再点“查询”。", null, false);
    return;
  }
  show("pending", "正在查询，请稍候……", null, false);
  if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
  try {
    lookupIndex = lookupIndex || await fetchJson("lookup.json");
  } catch (e) {
    show("unknown", "无法读取查询索引（lookup.json），请稍后再试，或扫描证书上的二维码查验。", null, false);
    return;
  }
  const lib = await loadKdf();
  $("result").dataset.kdf = lib.name;
  const params = lookupIndex.kdf;
  const material = new TextEncoder().encode(number + "\n" + name);
  const master = await lib.pbkdf2(material, fromBase64(params.salt, true), params.iterations);
  const id = toBase64url((await lib.hmac(master, LOOKUP_ID)).slice(0, 16));
  const blob = Object.prototype.hasOwnProperty.call(lookupIndex.entries, id) ? lookupIndex.entries[id] : null;
  let token = null;
  if (typeof blob === "string") {
    try { token = await decryptEntry(lib, await lib.hmac(master, LOOKUP_KEY), blob); } catch (e) { token = null; }
  }
  const match = token && /^([A-Za-z0-9_-]{8,})\./.exec(token);
  let payload = null;
  if (match) {
    try { payload = parsePayload(fromBase64(match[1], true)); } catch (e) { payload = null; }
  }
  if (!payload || normaliseNumber(payload.number) !== number || normaliseName(payload.name) !== name) {
    show("notfound", NOT_FOUND, null, false);
    return;
  }
  await verifyToken(token);
}

function onLookup(event) {
  event.preventDefault();
  const number = normaliseNumber($("q-number").value), name = normaliseName($("q-name").value);
  lookup(number, name).catch((e) => {
    show("unknown", "查询时出错（" + (e && e.message ? e.message : e) + "），请稍后再试。", null, false);
  });
}

function start() {
  run().catch((e) => {
    show("unknown", "查验时出错（" + (e && e.message ? e.message : e) + "），请稍后再试。", null, false);
  });
}

// A module script runs after the document is parsed.
start();
window.addEventListener("hashchange", start);
$("lookup").addEventListener("submit", onLookup);

/* Certificate verification in the browser: WebCrypto Ed25519, no server, no database.
 *
 * The QR code opens  <this page>#<payload>.<signature>  (base64url, no padding). The payload is
 * UTF-8 text "1|number|name|round|YYYYMMDD|YYYYMMDD"; the signature is Ed25519 over
 * "XATN-CERT-SIG-1\n" + payload, checked against keys.json. revoked.json lists revoked numbers.
 * Every value is shown with textContent: nothing from the URL is ever treated as markup.
 */
"use strict";
(function () {
  var DOMAIN = new TextEncoder().encode("XATN-CERT-SIG-1\n");
  var TITLES = {
    valid: "有效", expired: "已期满", revoked: "已撤销", forged: "无效",
    none: "请扫码", unsupported: "无法查验", unknown: "暂时无法查验"
  };

  function $(id) { return document.getElementById(id); }

  function fromBase64(text, url) {
    if (url) {
      if (!/^[A-Za-z0-9_-]*$/.test(text)) { throw new Error("bad base64url"); }
      text = text.replace(/-/g, "+").replace(/_/g, "/");
      while (text.length % 4) { text += "="; }
    }
    var bin = atob(text);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  function readToken() {
    var text = location.hash.replace(/^#/, "");
    if (!text) { text = new URLSearchParams(location.search).get("c") || ""; }
    try { text = decodeURIComponent(text); } catch (e) { /* keep as is */ }
    return text.trim();
  }

  function cnDate(text) {
    var digits = text.replace(/-/g, "");
    return digits.slice(0, 4) + "年" + Number(digits.slice(4, 6)) + "月" + Number(digits.slice(6, 8)) + "日";
  }

  function todayInChina() {
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit"
    }).formatToParts(new Date());
    var get = function (type) { return parts.filter(function (p) { return p.type === type; })[0].value; };
    return get("year") + get("month") + get("day");
  }

  function parsePayload(bytes) {
    var text;
    try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { return null; }
    var f = text.split("|");
    if (f.length !== 6 || f[0] !== "1" || !/^\d{4}$/.test(f[3]) || !/^\d{8}$/.test(f[4]) || !/^\d{8}$/.test(f[5])) {
      return null;
    }
    return { number: f[1], name: f[2], round: f[3], start: f[4], end: f[5] };
  }

  function show(status, message, payload, demo) {
    var main = $("result");
    main.dataset.status = status;
    main.dataset.demo = demo ? "true" : "false";
    $("badge").textContent = TITLES[status];
    $("message").textContent = message;
    var details = $("details");
    if (payload) {
      var body = document.body.dataset;
      $("f-number").textContent = payload.number;
      $("f-name").textContent = payload.name;
      $("f-honour").textContent = body.region + payload.round + "年度“" + body.honour + "”";
      $("f-term").textContent = cnDate(payload.start) + "至" + cnDate(payload.end);
      $("f-status").textContent = TITLES[status];
      details.hidden = false;
    } else {
      details.hidden = true;
    }
    $("demo-note").hidden = !demo;
  }

  function fetchJson(name) {
    return fetch(name, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(name + ": HTTP " + response.status); }
      return response.json();
    });
  }

  var FORGED = "数字签名验证失败：证书内容被篡改，或不是发证机关签发的。请勿相信该证书上的信息，并向发证机关核实。";

  async function run() {
    var token = readToken();
    if (!token) {
      show("none", "请用手机扫描证书上的二维码打开本页，即可查验证书真伪和状态。", null, false);
      return;
    }
    var match = /^([A-Za-z0-9_-]{8,})\.([A-Za-z0-9_-]{80,90})$/.exec(token);
    if (!match) {
      show("forged", "链接中的查验码不完整或格式不对：证书可能是伪造的，或二维码被改动。", null, false);
      return;
    }
    if (!window.crypto || !window.crypto.subtle) {
      show("unsupported", "当前浏览器无法进行数字签名验证。请用系统浏览器（如 Chrome、Safari、Edge 的最新版本）打开本页。", null, false);
      return;
    }
    var data, signature;
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
    var keys, revoked;
    try {
      var loaded = await Promise.all([fetchJson("keys.json"), fetchJson("revoked.json")]);
      keys = loaded[0].keys;
      revoked = loaded[1].revoked || [];
    } catch (e) {
      show("unknown", "无法读取发证机关的公钥或撤销名单，请稍后再试，或联系发证机关。", null, false);
      return;
    }
    var message = concat(DOMAIN, data);
    var signer = null;
    for (var i = 0; i < keys.length; i++) {
      var key;
      try {
        key = await crypto.subtle.importKey("raw", fromBase64(keys[i].public_key, false), { name: "Ed25519" },
                                            false, ["verify"]);
      } catch (e) {
        show("unsupported", "当前浏览器不支持 Ed25519 数字签名，无法查验。请把浏览器更新到最新版本后重试。", null, false);
        return;
      }
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message)) {
        signer = keys[i];
        break;
      }
    }
    if (!signer) {
      show("forged", FORGED, null, false);
      return;
    }
    var payload = parsePayload(data);
    if (!payload) {
      show("forged", "签名正确，但证书信息的格式无法识别（版本不符）。请联系发证机关。", null, false);
      return;
    }
    var demo = Boolean(signer.demo);
    var entry = revoked.filter(function (r) { return r.number === payload.number; })[0];
    if (entry) {
      show("revoked", "该证书已于" + cnDate(entry.date) + "被发证机关撤销，不再有效。", payload, demo);
    } else if (todayInChina() > payload.end) {
      show("expired", "该证书真实，但任期已于" + cnDate(payload.end) + "届满。", payload, demo);
    } else {
      show("valid", "该证书真实有效：证书信息与发证机关的数字签名一致，且未被撤销。", payload, demo);
    }
  }

  function start() {
    run().catch(function (e) {
      show("unknown", "查验时出错（" + (e && e.message ? e.message : e) + "），请稍后再试。", null, false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("hashchange", start);
})();

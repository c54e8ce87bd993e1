/* The page's classic script (runs in every browser, unlike the verify.js module):
 * - opened from disk (file://), browsers do not run the verify.js module: say within a moment that
 *   the page must be opened through its web address, and how to try it locally;
 * - browsers too old for JavaScript modules (and so for the verification code): say so plainly. */
(function () {
  var main = document.getElementById("result");
  if (!main) { return; }

  function say(status, badge, message) {
    main.setAttribute("data-status", status);
    document.getElementById("badge").textContent = badge;
    document.getElementById("message").textContent = message;
  }

  if (location.protocol === "file:") {
    say("local", "请通过网址打开",
        "本页是从电脑上的文件直接打开的，浏览器出于安全原因不会在这种情况下运行查验程序，所以无法查验。" +
        "请扫描证书上的二维码，或通过发证机关公布的网址打开本页。" +
        "若要在本机测试：在本页所在的文件夹中运行 python3 -m http.server，" +
        "再用浏览器打开 http://localhost:8000/ 。");
    return;
  }
  if (!("noModule" in document.createElement("script"))) {
    say("unsupported", "无法查验",
        "当前浏览器版本过旧，无法进行数字签名验证。请更新浏览器（或微信）到最新版本，或用系统浏览器打开本页。");
  }
})();

/* Browsers too old for JavaScript modules (and so for the verification code): say so plainly. */
(function () {
  var main = document.getElementById("result");
  if (!main) { return; }
  main.setAttribute("data-status", "unsupported");
  document.getElementById("badge").textContent = "无法查验";
  document.getElementById("message").textContent =
    "当前浏览器版本过旧，无法进行数字签名验证。请更新浏览器（或微信）到最新版本，或用系统浏览器打开本页。";
})();

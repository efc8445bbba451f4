// Click (or Enter on) a figure: its details in the side panel, the figure and its indicator phrase marked.
(function () {
  var panel = document.getElementById("details");
  var fields = [["value", "data-value"], ["unit", "data-unit"], ["approx", "data-approx"],
                ["indicator phrase", "data-phrase"], ["canonical id", "data-indicator"],
                ["label", "data-indicator-label"], ["scope", "data-scope"], ["confidence", "data-confidence"],
                ["source", "data-source"], ["method", "data-method"], ["figure", "data-label"],
                ["uncertain", "data-uncertain"]];
  function clearActive() {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
  }
  function show(fig) {
    clearActive();
    fig.classList.add("active");
    var phrase = document.querySelector('span.phrase[data-at="' + fig.getAttribute("data-phrase-at") + '"]');
    if (phrase) { phrase.classList.add("active"); }
    if (!panel) { return; }
    var dl = document.createElement("dl");
    fields.forEach(function (f) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = f[0];
      dd.textContent = fig.getAttribute(f[1]) || "—";
      dl.appendChild(dt); dl.appendChild(dd);
    });
    var title = document.createElement("p");
    title.textContent = "「" + fig.textContent + "」";
    panel.replaceChildren(title, dl);
  }
  document.querySelectorAll("mark.fig").forEach(function (fig) {
    fig.addEventListener("click", function () { show(fig); });
    fig.addEventListener("keydown", function (e) { if (e.key === "Enter") { show(fig); } });
    fig.addEventListener("mouseenter", function () {
      var phrase = document.querySelector('span.phrase[data-at="' + fig.getAttribute("data-phrase-at") + '"]');
      if (phrase) { phrase.classList.add("active"); }
    });
  });
  document.querySelectorAll("a[data-goto]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var at = a.getAttribute("data-goto");
      var target = Array.prototype.find.call(document.querySelectorAll("mark.fig"), function (m) {
        return m.getAttribute("data-start") === at;
      });
      if (target) { target.scrollIntoView({block: "center"}); show(target); }
    });
  });
  // page.html#f12 opens on figure f12 with its details shown (links to a figure; the browser test uses it)
  var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  if (target && target.classList.contains("fig")) { target.scrollIntoView({block: "center"}); show(target); }
})();

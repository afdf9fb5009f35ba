// The door screen: a decision shows for a few seconds in large type; between decisions, live camera guidance.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("message");
  const headline = document.getElementById("headline");
  const advice = document.getElementById("advice");
  const lang = box.dataset.lang === "en" ? "?lang=en" : "";
  let until = 0;
  const idle = () => {
    box.className = "screen-message idle";
    headline.textContent = box.dataset.idle;
    advice.textContent = "";
  };
  const source = new EventSource("/screen/events" + lang);
  source.addEventListener("decision", (event) => {
    const d = JSON.parse(event.data);
    box.className = "screen-message " + (d.granted ? "granted" : "refused");
    headline.textContent = d.headline;
    advice.textContent = d.advice || "";
    until = Date.now() + 5000;
  });
  setInterval(async () => {
    if (Date.now() < until) {
      return;
    }
    if (!box.classList.contains("idle")) {
      idle();
    }
    try {
      const g = await (await fetch("/screen/guide" + lang, { cache: "no-store" })).json();
      advice.textContent = g.problem && g.problem !== "no_face" && g.problem !== "no_camera" ? g.text : "";
    } catch (e) {
      // The next poll tries again.
    }
  }, 1000);
});

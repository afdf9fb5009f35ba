// The keeper's site: live visits, camera guidance, door state, printing. Text from the server is set with textContent;
// table rows come as HTML the server encoded.
"use strict";

function liveVisits(body) {
  const live = document.getElementById("live");
  const counts = document.getElementById("counts");
  const empty = document.getElementById("no-visits");
  let after = body.dataset.after || "0";
  let source = null;
  const connect = () => {
    source = new EventSource("/events/visits?after=" + encodeURIComponent(after));
    source.onopen = () => { live.textContent = live.dataset.on; live.classList.remove("off"); };
    source.onerror = () => { live.textContent = live.dataset.off; live.classList.add("off"); };
    source.addEventListener("visit", (event) => {
      const holder = document.createElement("tbody");
      holder.innerHTML = event.data;
      const row = holder.firstElementChild;
      if (!row || body.querySelector('tr[data-seq="' + row.dataset.seq + '"]')) {
        return;
      }
      after = row.dataset.seq;
      row.classList.add("fresh");
      body.prepend(row);
      empty.hidden = true;
      const total = Number(counts.dataset.total) + 1;
      const granted = Number(counts.dataset.granted) + (row.classList.contains("granted") ? 1 : 0);
      counts.dataset.total = total;
      counts.dataset.granted = granted;
      counts.textContent = counts.dataset.format.replace("{0}", total).replace("{1}", granted);
    });
  };
  connect();
}

function guidance(guide) {
  const poll = async () => {
    try {
      const answer = await (await fetch(guide.dataset.url, { cache: "no-store" })).json();
      guide.textContent = answer.text;
      guide.classList.toggle("good", answer.good);
    } catch (e) {
      // The next poll tries again.
    }
  };
  poll();
  setInterval(poll, 700);
}

function doorState(door) {
  const lock = document.getElementById("lock-state");
  const open = document.getElementById("open-state");
  const alarms = document.getElementById("alarms");
  if (!lock) {
    return;
  }
  setInterval(async () => {
    try {
      const s = await (await fetch(door.dataset.url, { cache: "no-store" })).json();
      lock.textContent = s.locked ? lock.dataset.off : lock.dataset.on;
      lock.className = "state " + (s.locked ? "ok" : "warn");
      open.textContent = s.open ? open.dataset.on : open.dataset.off;
      open.className = "state " + (s.open ? "warn" : "ok");
      alarms.replaceChildren(...(s.alarms.length ? s.alarms : [alarms.dataset.none]).map((text) => {
        const li = document.createElement("li");
        li.className = s.alarms.length ? "alarm" : "none";
        li.textContent = text;
        return li;
      }));
    } catch (e) {
      // The next poll tries again.
    }
  }, 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  const visits = document.getElementById("visits");
  if (visits) {
    liveVisits(visits);
  }
  const guide = document.getElementById("guide");
  if (guide) {
    guide.textContent = "";
    guidance(guide);
  }
  const door = document.getElementById("door");
  if (door) {
    doorState(door);
  }
  const print = document.getElementById("print");
  if (print) {
    print.addEventListener("click", () => window.print());
  }
  const enrol = document.getElementById("enrol-form");
  if (enrol) {
    enrol.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (button && button.dataset.busy) {
        // Keep the button's name in the post, then show that the camera is working.
        setTimeout(() => { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
      }
    });
  }
});

// Read-aloud on the pupil voice page: where the browser has speech synthesis, each target gets a
// button that reads it, and its three answers, aloud. Without it (or without JavaScript) the page
// is the same, minus the buttons.
(function () {
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
  function speak(text) {
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en-GB";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }
  document.querySelectorAll("[data-speak]").forEach(function (place) {
    const fieldset = place.closest("fieldset");
    const choices = fieldset ? Array.from(fieldset.querySelectorAll("label")).map((l) => l.textContent.trim()) : [];
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary voice-speak";
    button.innerHTML = '<span aria-hidden="true">🔊</span> Read it to me';
    button.addEventListener("click", function () {
      speak(place.dataset.speak + (choices.length ? ". " + choices.join(", ") + "?" : ""));
    });
    place.appendChild(button);
  });
})();

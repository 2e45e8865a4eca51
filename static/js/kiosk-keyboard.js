// The kiosk's on-screen keyboard for the first name (Chromium's kiosk mode on Linux has none):
// simple-keyboard with a layout per language and a capital letter at the start of each word.
//
//   const keys = SiraKeyboard.attach(element, input);
//   keys.setLanguage("tr");  // the Turkish Q layout (ç ğ ı İ ö ş ü); en and ms share QWERTY
//   keys.clear();
(function () {
  "use strict";

  const LETTERS = {
    en: ["q w e r t y u i o p", "a s d f g h j k l", "z x c v b n m"],
    tr: ["q w e r t y u ı o p ğ ü", "a s d f g h j k l ş i", "z x c v b n m ö ç"],
  };
  // Symbols, not words: the keys read the same in every language.
  const DISPLAY = { "{bksp}": "⌫", "{shift}": "⇧", "{space}": "␣" };

  function layout(language) {
    const rows = LETTERS[language] || LETTERS.en;
    const lower = [rows[0] + " {bksp}", rows[1] + " '", "{shift} " + rows[2] + " -", "{space}"];
    const upper = lower.map(function (row) {
      return row.split(" ").map(function (key) {
        return key.charAt(0) === "{" ? key : key.toLocaleUpperCase(language);
      }).join(" ");
    });
    return { default: lower, shift: upper };
  }

  // A capital after nothing, a space or a hyphen: "Ayşe-Nur Kaya" needs no shift at all.
  function startsWord(value) {
    return value === "" || /[\s-]$/.test(value);
  }

  function attach(element, input) {
    const Keyboard = window.SimpleKeyboard.default;
    let language = "en";
    const keyboard = new Keyboard(element, {
      layout: layout(language),
      layoutName: "shift",
      display: DISPLAY,
      maxLength: input.maxLength > 0 ? input.maxLength : 40,
      useButtonTag: true,
      preventMouseDownDefault: true,
      onChange: function (value) {
        input.value = value;
      },
      onKeyPress: function (button) {
        if (button === "{shift}") {
          const name = keyboard.options.layoutName === "shift" ? "default" : "shift";
          keyboard.setOptions({ layoutName: name });
        } else {
          // After the letter is in: pick the case of the next one.
          setTimeout(autoCase, 0);
        }
      },
    });

    function autoCase() {
      keyboard.setOptions({ layoutName: startsWord(input.value) ? "shift" : "default" });
    }

    // A real keyboard plugged in for service still works, and the two stay in step.
    input.addEventListener("input", function () {
      keyboard.setInput(input.value);
      autoCase();
    });

    return {
      setLanguage: function (code) {
        language = LETTERS[code] ? code : "en";
        keyboard.setOptions({ layout: layout(language) });
        autoCase();
      },
      clear: function () {
        input.value = "";
        keyboard.setInput("");
        autoCase();
      },
    };
  }

  window.SiraKeyboard = { attach: attach };
})();

// Web Storage that always works, loaded before every other script of the page.
//
// Telegram Web opens a Mini App in an iframe of another site (web.telegram.org). A browser that denies
// third-party storage there (Chromium with third-party cookies blocked, which is also the default of its
// incognito windows; Safari and Firefox in their strict modes) throws SecurityError on every touch of
// window.sessionStorage / window.localStorage. Reflex keeps its client token in sessionStorage, so the
// frontend would stop with "Application Error" before the first screen. Where a storage is denied it is
// replaced by one kept in memory with the same interface: the session lasts for the life of the page, which
// is what a Mini App gets anyway (every open of it is a fresh page, and sign-in comes from initData).
// `window.lunchMemoryStorage` lists the storages replaced (empty where the browser allows them).
(function () {
  function memoryStorage() {
    var items = Object.create(null);
    var storage = {
      getItem: function (key) { key = String(key); return key in items ? items[key] : null; },
      setItem: function (key, value) { items[String(key)] = String(value); },
      removeItem: function (key) { delete items[String(key)]; },
      clear: function () { items = Object.create(null); },
      key: function (index) { var keys = Object.keys(items); return index < keys.length ? keys[index] : null; }
    };
    Object.defineProperty(storage, "length", { get: function () { return Object.keys(items).length; } });
    return storage;
  }

  var replaced = [];
  ["sessionStorage", "localStorage"].forEach(function (name) {
    try {
      var storage = window[name], probe = "__lunch_storage_probe__";
      storage.setItem(probe, probe);
      storage.removeItem(probe);
    } catch (denied) {
      try {
        Object.defineProperty(window, name, { value: memoryStorage(), configurable: true, enumerable: true });
        replaced.push(name);
      } catch (e) {}
    }
  });
  window.lunchMemoryStorage = replaced;
})();

// Copy the browser builds of our npm dependencies into static/vendor, served by Flask.
// Add a line here when a page needs another library from the registry.
import { cpSync, mkdirSync } from "node:fs";

const files = {
  "socket.io-client/dist/socket.io.min.js": "socket.io.min.js",
  "chart.js/dist/chart.umd.js": "chart.umd.js",
  "simple-keyboard/build/index.modern.js": "simple-keyboard.js",
  "simple-keyboard/build/css/index.css": "simple-keyboard.css",
};
mkdirSync("static/vendor", { recursive: true });
for (const [from, to] of Object.entries(files)) {
  cpSync(`node_modules/${from}`, `static/vendor/${to}`);
}

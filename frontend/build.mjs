// Builds GOV.UK Frontend (compiled from Sass with our settings) and vendored htmx into
// platform/static/, which Django's staticfiles (STATICFILES_DIRS) and whitenoise serve, and
// copies axe-core (MPL-2.0, with its licence) into tests/browser/vendor/ for the browser tests.
//
// Why Sass rather than copying dist/govuk/govuk-frontend.min.css: the precompiled CSS loads
// the GDS Transport font, whose licence restricts it to GOV.UK services, and points at
// /assets/ absolute URLs. Compiling lets us use a system font stack and relative paths.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "platform", "static");

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  console.log(`wrote ${to}`);
}

function write(to, text) {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, text);
  console.log(`wrote ${to}`);
}

const govuk = join(modules, "govuk-frontend");
const govukVersion = JSON.parse(readFileSync(join(govuk, "package.json"))).version;
const htmx = join(modules, "htmx.org");
const htmxVersion = JSON.parse(readFileSync(join(htmx, "package.json"))).version;

const css = sass.compile(join(here, "src", "caseload.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(here)],
  // GOV.UK Frontend's own deprecation notices are not ours to fix.
  quietDeps: true,
});
// Sass starts compressed output that has non-ASCII text with a byte-order mark. Behind our
// banner comment that BOM would sit mid-file and void the first rule (GOV.UK's :root
// breakpoints, without which its service navigation fails to start), so it goes, and
// @charset (which must come first) says the encoding instead.
write(
  join(out, "app", "caseload.min.css"),
  `@charset "UTF-8";\n/*! GOV.UK Frontend ${govukVersion} (MIT, Crown Copyright) with Councillor Caseload styles */\n${css.css.replace(/^\uFEFF/, "")}\n`,
);

copy(join(govuk, "dist", "govuk", "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
// The npm package states its licence only in package.json/README; ship the text with the files.
write(
  join(out, "govuk", "LICENSE.txt"),
  readFileSync(join(here, "licences", "govuk-frontend.txt"), "utf8").replace("{version}", govukVersion),
);

copy(join(htmx, "dist", "htmx.min.js"), join(out, "vendor", "htmx", "htmx.min.js"));
copy(join(htmx, "LICENSE"), join(out, "vendor", "htmx", "LICENSE.txt"));
// axe-core for the browser tests (tests/browser), vendored so a test run needs no npm.
const axe = join(modules, "axe-core");
const axeVersion = JSON.parse(readFileSync(join(axe, "package.json"))).version;
const axeOut = join(here, "..", "tests", "browser", "vendor", "axe-core");
copy(join(axe, "axe.min.js"), join(axeOut, "axe.min.js"));
copy(join(axe, "LICENSE"), join(axeOut, "LICENSE.txt"));
write(join(axeOut, "VERSION"), `${axeVersion}\n`);
console.log(`govuk-frontend ${govukVersion}, htmx ${htmxVersion}, axe-core ${axeVersion}`);

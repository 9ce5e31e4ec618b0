# mk/browser.mk — `make browser`: every page a person uses, in headless
# Chromium: console and CSP clean, axe-core WCAG 2.1 AA, html-validate,
# reflow at 320 px, the skip link, screenshots in build/screenshots/
# (scripts/run-browser; docs/testing.md tells how to add a page).

.PHONY: browser

browser: $(BUILD)/csec
	scripts/run-browser

CHECK_STEPS += browser

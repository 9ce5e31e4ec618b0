/* tests/unit/test_pdf.c — the print-ready guide (features/library/pdf.c),
 * read back with the real poppler tools as a person's viewer would:
 * pdfinfo opens it without a complaint and finds the title, pdftotext
 * finds every heading and the body text, and each page number the table of
 * contents prints is the page where that heading really is. The sample is
 * kept in build/pdf/sample-guide.pdf, and its pages as PNGs beside it
 * (pdftoppm), for people to look at. Hostile Markdown must give a valid
 * PDF (or a clean refusal past the caps), never a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "features/library/pack.h"
#include "features/library/pdf.h"

#define OUT_DIR "build/pdf"

/* The labels, read from the message catalogue the handler uses, so the
 * sample shows the real words and a renamed key fails here. */
static struct pdf_labels labels;
static char catalogue[8192];

static const char *message(const char *key)
{
	size_t kl = strlen(key);
	for (char *p = catalogue; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) != 0 || strncmp(p + kl, " = ", 3) != 0)
			continue;
		return p + kl + 3;
	}
	fail_msg("web/messages/en/pdf.txt lacks %s", key);
	return NULL;
}

static int load_labels(void **state)
{
	(void)state;
	FILE *f = fopen("web/messages/en/pdf.txt", "r");
	assert_non_null(f);
	size_t n = fread(catalogue, 1, sizeof catalogue - 1, f);
	fclose(f);
	catalogue[n] = 0;
	labels = (struct pdf_labels){
	        .contents = message("pdf.contents"),
	        .part = message("pdf.part"),
	        .prepared_for = message("pdf.prepared_for"),
	        .provided_by = message("pdf.provided_by"),
	        .as_of = message("pdf.as_of"),
	        .draft = message("pdf.draft"),
	        .notes = message("pdf.notes"),
	        .links = message("pdf.links"),
	        .sources = message("pdf.sources"),
	        .checked = message("pdf.checked"),
	};
	for (char *p = catalogue; (p = strchr(p, '\n')); p++)
		*p = 0; /* each message ends at its line's end */
	return 0;
}

/* ---- the sample guide ------------------------------------------------- */

static const char part1[] =
        "Child sex trafficking is the recruitment, harboring, transportation, provision, "
        "obtaining, patronizing or soliciting of a person under 18 for a commercial sex act. "
        "Under federal law no force, fraud or coercion needs to be shown when the person is a "
        "minor: a child cannot consent to being sold, and the law treats every such child as a "
        "victim. Many states have since adopted the same rule in their own codes.\n"
        "\n"
        "The commercial element is what separates trafficking from other sexual abuse. "
        "*Anything of value* given or received on account of a sex act counts: money, but also "
        "food, shelter, drugs, a phone, or a promise of protection. Officers who look only for "
        "cash will miss most cases.\n"
        "\n"
        "## Federal law\n"
        "\n"
        "The Trafficking Victims Protection Act of 2000 and its reauthorizations define the "
        "crime, fund services for victims, and give prosecutors tools that reach buyers as well "
        "as traffickers. The statute most often charged is 18 U.S.C. \xc2\xa7 1591, which carries "
        "a mandatory minimum sentence when the victim is a minor. Read the current text at the "
        "[Office of the Law Revision Counsel](https://uscode.house.gov/) before citing it in a "
        "policy.\n"
        "\n"
        "Three points matter most to a leader:\n"
        "\n"
        "- A minor is a victim whether or not force was used.\n"
        "- Buyers commit the offense too; demand reduction is part of the response.\n"
        "- Victims are entitled to services, and some to immigration relief:\n"
        "  - T visas for victims of a severe form of trafficking;\n"
        "  - continued presence, requested by law enforcement;\n"
        "  - eligibility letters for foreign national minors.\n"
        "\n"
        "## State law in {{agency.state}}\n"
        "\n"
        "State codes differ in what they call the offense, which agency investigates it, and "
        "whether a child can be charged with prostitution at all. Safe-harbor laws shield "
        "minors from that charge and route them to services instead. The table below compares "
        "the common approaches.\n"
        "\n"
        "| Approach | What it does | What a leader should check |\n"
        "|---|---|---|\n"
        "| Full immunity | A minor cannot be charged with prostitution | Officers know the "
        "charge is not available and use a protective custody or referral path instead |\n"
        "| Diversion | Charges are filed but diverted to services | Who decides diversion, and "
        "how fast a child reaches an advocate |\n"
        "| Affirmative defense | The child must raise trafficking as a defense | Whether "
        "prosecutors screen for trafficking before filing |\n"
        "| No safe harbor | The child can be charged | Agency policy that treats the child as a "
        "victim regardless |\n"
        "\n"
        "> A child who is bought or sold for sex is a victim of a crime. Every policy, form and "
        "conversation should start there.\n"
        "\n"
        "## Words that matter\n"
        "\n"
        "Language shapes how officers treat the young people they meet. Reports and training "
        "should use **child victim** or **youth**, never ~~child prostitute~~, and should "
        "describe the adults as traffickers, exploiters and buyers. Words like "
        "\"Antidisestablishmentarianismsupercalifragilisticexpialidociousneverendingwordthat"
        "mustwrapsomewhere\" are not a problem for the page either.\n";

static const char part2[] =
        "Child sex trafficking is hard to see. Victims rarely say that they are being "
        "trafficked; many do not think of themselves as victims, and many have learned that "
        "adults, and police in particular, are not to be trusted. Identification therefore "
        "depends on officers who recognize the indicators and ask the right questions.\n"
        "\n"
        "## Victims who do not self-identify\n"
        "\n"
        "A trafficker often presents as a boyfriend, a family member or a provider. The child "
        "may be loyal to that person, fear retaliation, or fear arrest. Expect denial, "
        "inconsistent stories and hostility at first contact; none of them means nothing is "
        "wrong. Training should teach officers to:\n"
        "\n"
        "1. separate the youth from any adult who accompanies them;\n"
        "2. ask open questions about where they sleep, who buys their food and phone, and "
        "whether anyone takes their money;\n"
        "3. call the advocate named in the agency's protocol before any formal interview;\n"
        "4. document indicators even when the youth denies everything.\n"
        "\n"
        "## Jurisdiction and data\n"
        "\n"
        "Traffickers move children across city, county and state lines, often within days. A "
        "case that starts with a runaway report in one county may surface as an online "
        "advertisement in another. Without agreements for sharing information, each agency "
        "sees a fragment. Most agencies also lack a way to count what they see: offenses are "
        "recorded under other codes (runaway, prostitution, sexual assault), so the local scope "
        "of the problem stays unknown.\n"
        "\n"
        "The National Center for Missing & Exploited Children runs a "
        "[CyberTipline](https://report.cybertip.org/) and publishes analyses of reports at "
        "<https://www.missingkids.org/>. For the national hotline see "
        "[Polaris](https://polarisproject.org/) or call 1-888-373-7888.\n"
        "\n"
        "## Resources are scarce\n"
        "\n"
        "Specialized placements for trafficked youth are few, and waiting lists are long. "
        "Leaders who plan for the first 72 hours after identification (a safe place to sleep, "
        "an advocate, medical care) avoid the worst outcome: a child returned to the trafficker "
        "because no one had a bed.\n";

static const char part3[] =
        "The steps below are what agencies that respond well have in common. None requires a "
        "large budget; all require a decision by the agency's leadership.\n"
        "\n"
        "## Designate a lead\n"
        "\n"
        "Name one person, with rank enough to convene partners, who owns the agency's "
        "response. The lead keeps the protocol current, tracks training, and is the first call "
        "for officers with a possible case.\n"
        "\n"
        "## Adopt a victim-centered policy\n"
        "\n"
        "A written policy states that a minor involved in commercial sex is a victim, sets out "
        "who is notified, and forbids practices that re-traumatize, such as repeated "
        "interviews or detention as the only safe option. See the [partners' "
        "part](partners) for whom to involve.\n"
        "\n"
        "## Train every officer\n"
        "\n"
        "Patrol officers make most first contacts. Every officer should complete awareness "
        "training; investigators and supervisors need more. Track completion the way the "
        "agency tracks firearms qualification.\n"
        "\n"
        "```\n"
        "Response checklist (first contact)\n"
        "  1. Safety: separate the youth; request an advocate.\n"
        "  2. Notify: supervisor, lead investigator, child welfare hotline.\n"
        "  3. Preserve: phone, ads, hotel records; request preservation letters.\n"
        "```\n"
        "\n"
        "## Build and formalize the team\n"
        "\n"
        "A multidisciplinary team brings together law enforcement, prosecution, child welfare, "
        "victim advocates, medical providers and schools. Memoranda of understanding make the "
        "team durable when people change jobs.\n"
        "\n"
        "## Collect data and engage the community\n"
        "\n"
        "Count identifications, referrals and services delivered, and report them to the team "
        "each quarter. Work with hotels, transit, schools and youth shelters so that the "
        "people most likely to notice a child at risk know whom to call.\n";

static const char part4[] =
        "No agency can respond alone. The partners below each hold a piece of the response; "
        "the lead's job is to know them by name before a case begins.\n"
        "\n"
        "## Prosecutors\n"
        "\n"
        "Ask for a designated prosecutor, early consultation on charging, and a commitment not "
        "to charge minors for offenses committed while trafficked.\n"
        "\n"
        "## Child welfare\n"
        "\n"
        "Child welfare agencies must screen and respond to reports of trafficking. Agree in "
        "advance on how a report is made at night and on weekends, and who responds.\n"
        "\n"
        "## Victim service providers\n"
        "\n"
        "Advocates build the trust that investigations depend on. Their confidentiality "
        "obligations are real: ask what they can share, and never ask them to breach them.\n"
        "\n"
        "## Medical and mental health\n"
        "\n"
        "A forensic medical exam, care for injuries and infections, and trauma-focused "
        "treatment are part of recovery. Child advocacy centers often coordinate them.\n"
        "\n"
        "## Schools and community organizations\n"
        "\n"
        "Teachers, counselors and youth workers see changes first: a new older boyfriend, new "
        "clothes or phones, absences. Give them a simple way to reach the team. Contact the "
        "lead at <mailto:lead@agency.example> or see the "
        "[resource library](/resources/national-hotlines).\n";

static const struct pack_source sources1[] = {
        {"Trafficking Victims Protection Act of 2000", "U.S. Congress",
         "https://www.congress.gov/bill/106th-congress/house-bill/3244", "2025-01-10"},
        {"18 U.S.C. 1591, Sex trafficking of children or by force, fraud, or coercion",
         "Office of the Law Revision Counsel", "https://uscode.house.gov/", "2025-01-10"},
};
static const struct pack_source sources2[] = {
        {"CyberTipline data", "National Center for Missing & Exploited Children",
         "https://www.missingkids.org/gethelpnow/cybertipline/cybertiplinedata", "2025-01-12"},
};
static const struct pack_source sources4[] = {
        {"Child advocacy center model", "National Children's Alliance",
         "https://www.nationalchildrensalliance.org/", "2025-01-14"},
        {"Human trafficking and child welfare", "Child Welfare Information Gateway",
         "https://www.childwelfare.gov/", "2025-01-14"},
};

static struct pdf_part sample_parts[] = {
        {"Definitions and law", "definitions", part1, sources1, 2},
        {"Why child sex trafficking is hard to combat", "challenges", part2, sources2, 1},
        {"Essential steps for leaders", "essential-steps", part3, NULL, 0},
        {"The partners who can help", "partners", part4, sources4, 2},
};

/* Body text enough for several pages: each part gets its sample text and a
 * run of further sections. */
static char *grown(struct arena *a, const char *base, int part)
{
	struct buf b;
	buf_init(&b, a, 1 << 20);
	buf_puts(&b, base);
	for (int i = 1; i <= 3; i++) {
		buf_printf(&b, "\n## Practice note %d.%d\n\n", part, i);
		for (int j = 0; j < 3; j++)
			buf_puts(&b,
			         "Agencies that review their cases each quarter find patterns that "
			         "single investigations miss: the same motel, the same phone "
			         "number, "
			         "the same recruiter at the same bus station. A short standing "
			         "agenda "
			         "for the multidisciplinary team (new identifications, services "
			         "delivered, open investigations, barriers) keeps the review "
			         "useful, "
			         "and minutes that record decisions rather than discussion keep it "
			         "honest. Leaders should attend at least twice a year, because the "
			         "presence of the chief or sheriff tells every partner the work "
			         "matters.\n\n");
		buf_puts(&b,
		         "### What to ask for\n\n"
		         "- a named contact and a backup for nights and weekends;\n"
		         "- the time within which each partner will respond;\n"
		         "- what each partner can share, and under which law.\n");
	}
	assert_int_equal(b.err, 0);
	return b.data;
}

static struct pdf_doc sample_doc(struct arena *a, struct pdf_part *parts)
{
	for (int i = 0; i < 4; i++) {
		parts[i] = sample_parts[i];
		parts[i].markdown = grown(a, sample_parts[i].markdown, i + 1);
	}
	return (struct pdf_doc){
	        .title = "Child Sex Trafficking: A Guide for Law Enforcement Leaders",
	        .subtitle = "Metro City Police Department",
	        .provider = "State Anti-Trafficking Training Program",
	        .as_of = "15 January 2025",
	        .draft = true,
	        .disclaimer = "This guide is general information for law enforcement leaders and "
	                      "their partners. It is not legal advice. Laws differ from state to "
	                      "state and change; confirm the current law with your prosecutor or "
	                      "legal counsel before adopting a policy.",
	        .base_url = "https://portal.example.org",
	        .labels = &labels,
	        .parts = parts,
	        .n_parts = 4,
	};
}

/* ---- running the poppler tools ---------------------------------------- */

/* The standard output of cmd (its stderr to *err when err is not NULL). */
static char *run(const char *cmd, char **err)
{
	char errfile[] = "/tmp/csec-pdf-err-XXXXXX";
	int fd = mkstemp(errfile);
	assert_true(fd >= 0);
	close(fd);
	char full[4096];
	snprintf(full, sizeof full, "%s 2>%s", cmd, errfile);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	struct buf b;
	buf_init(&b, NULL, 64u << 20);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&b, chunk, n);
	int st = pclose(p);
	assert_int_equal(st, 0);
	if (err) {
		FILE *f = fopen(errfile, "r");
		struct buf e;
		buf_init(&e, NULL, 1 << 20);
		while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_append(&e, chunk, n);
		if (f)
			fclose(f);
		*err = strdup(buf_cstr(&e));
		buf_free(&e);
	}
	unlink(errfile);
	char *r = strdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

static void write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* pdfinfo's report; fails the test on anything it prints on stderr. */
static char *pdfinfo(const char *path)
{
	char cmd[512], *err;
	snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
	char *out = run(cmd, &err);
	if (*err)
		fail_msg("pdfinfo complained: %s", err);
	free(err);
	return out;
}

/* The value of a "Name:   value" line of pdfinfo's report (static). */
static const char *info_field(const char *info, const char *name)
{
	static char value[512];
	size_t nl = strlen(name);
	for (const char *p = info; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		p += nl + 1;
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, "\n");
		snprintf(value, sizeof value, "%.*s", (int)n, p);
		return value;
	}
	return "";
}

static int pages_of(const char *info)
{
	const char *p = strstr(info, "\nPages:");
	assert_non_null(p);
	return (int)strtol(p + 7, NULL, 10);
}

static char *page_text(const char *path, int first, int last)
{
	char cmd[512], *err;
	snprintf(cmd, sizeof cmd, "pdftotext -layout -f %d -l %d '%s' -", first, last, path);
	char *out = run(cmd, &err);
	if (*err)
		fail_msg("pdftotext complained: %s", err);
	free(err);
	return out;
}

/* s with every run of white space made one space (justified text and
 * -layout put several between words). In place; returns s. */
static char *squeeze(char *s)
{
	char *w = s;
	bool space = false;
	for (const char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\f') {
			space = true;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = 0;
	return s;
}

/* The page number printed at the end of the contents line naming text. */
static int toc_page(const char *toc, const char *text)
{
	const char *at = strstr(toc, text);
	if (!at)
		fail_msg("contents lack \"%s\"", text);
	const char *eol = strchr(at, '\n');
	if (!eol)
		eol = at + strlen(at);
	const char *p = eol;
	while (p > at && (p[-1] == ' ' || p[-1] == '\f'))
		p--;
	const char *q = p;
	while (q > at && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (q == p)
		fail_msg("no page number after \"%s\"", text);
	return (int)strtol(q, NULL, 10);
}

/* ---- tests ------------------------------------------------------------ */

static void sample_guide_reads_back(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	struct pdf_part parts[4];
	struct pdf_doc doc = sample_doc(a, parts);
	char *pdf;
	size_t len;
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), 0);
	assert_true(len > 10000);
	assert_memory_equal(pdf, "%PDF-", 5);
	mkdir("build", 0755);
	mkdir(OUT_DIR, 0755);
	const char *path = OUT_DIR "/sample-guide.pdf";
	write_file(path, pdf, len);

	char *info = pdfinfo(path);
	assert_string_equal(info_field(info, "Title"),
	                    "Child Sex Trafficking: A Guide for Law Enforcement Leaders");
	assert_string_equal(info_field(info, "Creator"), "CSEC Toolkit");
	assert_string_equal(info_field(info, "Page size"), "612 x 792 pts (letter)");
	int pages = pages_of(info);
	assert_in_range(pages, 12, 40);
	free(info);

	char *all = squeeze(page_text(path, 1, pages));
	const char *expect[] = {
	        "Definitions and law",
	        "Federal law",
	        "State law in {{agency.state}}",
	        "Words that matter",
	        "Victims who do not self-identify",
	        "Designate a lead",
	        "Build and formalize the team",
	        "Schools and community organizations",
	        "Notes and sources",
	        "Prepared for Metro City Police Department",
	        "Draft \xe2\x80\x94 not yet reviewed",
	        "Current as of 15 January 2025",
	        "Under federal law no force, fraud or coercion",
	        "https://uscode.house.gov/",
	        "checked 2025-01-10",
	        "Response checklist (first contact)",
	        "Affirmative defense",
	        "https://portal.example.org/resources/national-hotlines",
	};
	for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
		if (!strstr(all, expect[i]))
			fail_msg("the text lacks \"%s\"", expect[i]);
	/* Raw characters are printed as text, never interpreted. */
	assert_non_null(strstr(all, "1-888-373-7888"));
	free(all);

	/* The contents: where part 1 starts, the contents end. */
	char *toc = page_text(path, 2, 3);
	int first = toc_page(toc, "Definitions and law");
	assert_in_range(first, 3, 5);
	free(toc);
	toc = page_text(path, 2, first - 1);
	const char *entries[] = {
	        "Definitions and law",
	        "Federal law",
	        "Words that matter",
	        "Why child sex trafficking is hard to combat",
	        "Jurisdiction and data",
	        "Practice note 2.3",
	        "Essential steps for leaders",
	        "Adopt a victim-centered policy",
	        "Collect data and engage the community",
	        "The partners who can help",
	        "Practice note 4.1",
	        "Notes and sources",
	};
	/* pdftohtml -xml shows the outline (bookmarks) and the links. */
	char cmd[512], *err;
	snprintf(cmd, sizeof cmd, "pdftohtml -xml -stdout -i -q '%s'", path);
	char *xml = run(cmd, &err);
	assert_string_equal(err, "");
	free(err);
	assert_non_null(strstr(xml, "<item page=\"2\">Contents</item>"));
	assert_non_null(strstr(xml, "<a href=\"https://uscode.house.gov/\""));
	assert_non_null(strstr(xml, "<a href=\"mailto:lead@agency.example\""));
	assert_non_null(
	        strstr(xml, "<a href=\"https://portal.example.org/resources/national-hotlines\""));
	int last = 0;
	for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
		int pg = toc_page(toc, entries[i]);
		assert_in_range(pg, first, pages);
		assert_true(pg >= last);
		last = pg;
		char *t = squeeze(page_text(path, pg, pg));
		if (!strstr(t, entries[i]))
			fail_msg("\"%s\" is not on page %d, as the contents say", entries[i], pg);
		free(t);
		char item[256];
		snprintf(item, sizeof item, "<item page=\"%d\">%s</item>", pg, entries[i]);
		if (!strstr(xml, item))
			fail_msg("the outline lacks %s", item);
	}
	free(toc);
	free(xml);

	/* The fonts of the Debian packages, embedded as subsets. */
	snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
	char *fonts = run(cmd, &err);
	assert_string_equal(err, "");
	free(err);
	assert_non_null(strstr(fonts, "+CharisSIL "));
	assert_non_null(strstr(fonts, "+Lato-Bold "));
	assert_non_null(strstr(fonts, "+DejaVuSansMono "));
	const char *rows = strstr(fonts, "\n---");
	assert_non_null(rows);
	rows = strchr(rows + 1, '\n');
	for (char *line = strtok(rows ? fonts + (rows - fonts) : NULL, "\n"); line;
	     line = strtok(NULL, "\n"))
		if (!strstr(line, " yes yes yes "))
			fail_msg("a font is not embedded as a subset: %s", line);
	free(fonts);

	/* Pictures of the pages, for people to look at. */
	snprintf(cmd, sizeof cmd, "rm -f %s/page-*.png && pdftoppm -r 60 -png '%s' %s/page",
	         OUT_DIR, path, OUT_DIR);
	free(run(cmd, &err));
	assert_string_equal(err, "");
	free(err);
	arena_destroy(a);
}

static void hostile_one(const char *name, const char *md)
{
	struct arena *a = arena_create(0);
	struct pdf_part part = {"Hostile \"<b>input</b>\" & {{x}}", "h", md, NULL, 0};
	struct pdf_doc doc = {
	        .title = "Hostile \xff\xfe title <i>&amp;</i>",
	        .labels = &labels,
	        .parts = &part,
	        .n_parts = 1,
	};
	char *pdf;
	size_t len;
	int rc = pdf_guide(a, &doc, &pdf, &len);
	if (rc)
		fail_msg("%s: pdf_guide returned %d", name, rc);
	char path[256];
	snprintf(path, sizeof path, OUT_DIR "/hostile-%s.pdf", name);
	mkdir("build", 0755);
	mkdir(OUT_DIR, 0755);
	write_file(path, pdf, len);
	free(pdfinfo(path));
	unlink(path);
	arena_destroy(a);
}

static char *repeat(struct arena *a, const char *s, int n, const char *tail)
{
	struct buf b;
	buf_init(&b, a, 4 * PDF_MAX_PART_BYTES);
	for (int i = 0; i < n; i++)
		buf_puts(&b, s);
	buf_puts(&b, tail);
	assert_int_equal(b.err, 0);
	return b.data;
}

static void hostile_markdown_gives_valid_pdfs(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	hostile_one("long-word", repeat(a, "x", 200000, "\n"));
	hostile_one("long-url",
	            repeat(a, "[a](https://e.example/", 0,
	                   "x'\\]) <https://e.example/'\\\"a> [j](javascript:alert(1))\n"));
	hostile_one("deep-quotes", repeat(a, "> ", 5000, "deep\n"));
	hostile_one("deep-lists", repeat(a, "- ", 3000, "deep\n"));
	hostile_one("deep-emphasis", repeat(a, "*a _b **c ", 2000, "d\n"));
	hostile_one("brackets", repeat(a, "[", 20000, "x\n"));
	hostile_one("wide-table",
	            repeat(a, "|c", 60,
	                   "|\n"
	                   "|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|"
	                   "-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|"
	                   "-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\n"
	                   "|a|bb|ccc|\n"));
	/* A row taller than a page splits across pages. */
	char *tall = repeat(a, "word ", 6000, "|\n");
	char *tall_table = arena_printf(a, "|a|b|\n|-|-|\n|x|%s", tall);
	hostile_one("tall-cell", tall_table);
	hostile_one("many-rows", repeat(a, "|r|s|t|\n", 2000, ""));
	hostile_one("html",
	            "<script>alert(1)</script>\n\n<b>bold</b> <!-- c -->\n\n"
	            "text \x01\x02\x1b[31m and \xc3\x28 bad utf-8\n");
	hostile_one("links", repeat(a, "[l](https://e.example/a) ", 3000, "\n"));
	hostile_one("empty", "");
	hostile_one("headings", repeat(a, "## h\n", 500, "##\n\n# \n"));
	hostile_one("empty-items", repeat(a, "-\n", 500, "1.\n2.\n"));
	arena_destroy(a);
}

static void caps_and_errors(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	char *pdf;
	size_t len;
	struct pdf_doc doc = {.labels = &labels};
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), -EINVAL);
	doc.title = "t";
	doc.labels = NULL;
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), -EINVAL);
	doc.labels = &labels;

	/* A part over the size cap. */
	struct pdf_part big = {"big", NULL, repeat(a, "abcdefgh ", PDF_MAX_PART_BYTES / 9 + 1, ""),
	                       NULL, 0};
	doc.parts = &big;
	doc.n_parts = 1;
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), -E2BIG);

	/* More pages than the cap: refused, not truncated. */
	char *lines = repeat(a, "x\n", 40000, "");
	char *code = arena_printf(a, "```\n%s```\n", lines);
	struct pdf_part tall = {"tall", NULL, code, NULL, 0};
	doc.parts = &tall;
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), -E2BIG);

	/* No parts at all is still a booklet: cover, contents, notes. */
	doc.n_parts = 0;
	doc.parts = NULL;
	assert_int_equal(pdf_guide(a, &doc, &pdf, &len), 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	arena_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sample_guide_reads_back),
	        cmocka_unit_test(hostile_markdown_gives_valid_pdfs),
	        cmocka_unit_test(caps_and_errors),
	};
	return cmocka_run_group_tests(tests, load_labels, NULL);
}

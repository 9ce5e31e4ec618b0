/* bench/pdf.c — the time to make the guide PDF (issue 5, point 17), for
 * `make bench`: the starter pack built into csec, every guide page (an
 * officer's guide: the law-enforcement parts too), laid out with csec's own
 * pdf_guide COUNT times (default 5). Prints the median in milliseconds, the
 * page count and the size, and, as the baseline measured in the same run,
 * the median time to render the same pages' Markdown to HTML, which is what
 * an import or an edit costs. */
#include "core/arena.h"
#include "core/str.h"
#include "features/library/markdown.h"
#include "features/library/pack.h"
#include "features/library/pdf.h"
#include "features/library/placeholders.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COUNT 50

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Every placeholder unset, as for a new organization. */
static const char *unset(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int64_t count = 5;
	char err[256];
	if (argc > 1 && str_to_i64(str_from(argv[1]), 1, MAX_COUNT, &count) != 0) {
		fprintf(stderr, "usage: pdf [COUNT 1..%d]\n", MAX_COUNT);
		return 2;
	}
	if (page_init(NULL, err, sizeof err) != 0) {
		fprintf(stderr, "pdf: %s\n", err);
		return 1;
	}
	struct arena *a = arena_create(0);
	struct pack_file *files;
	size_t nfiles;
	struct pack pack;
	struct pack_problems pr;
	if (!a || pack_files_embedded(a, &files, &nfiles) != 0)
		return 1;
	pack_problems_init(&pr, a);
	if (pack_load(a, files, nfiles, &pack, &pr) != 0 || pr.n > 0) {
		fprintf(stderr, "pdf: the starter pack has %zu problems\n", pr.n);
		return 1;
	}
	struct pdf_part *parts = arena_calloc(a, pack.n_pages, sizeof *parts);
	size_t n = 0;
	for (size_t i = 0; parts && i < pack.n_pages; i++) {
		const struct pack_page *p = &pack.pages[i];
		if (p->kind != PAGE_GUIDE)
			continue;
		parts[n++] = (struct pdf_part){
		        .title = p->title,
		        .slug = p->slug,
		        .markdown = placeholders_fill_markdown(a, p->markdown, unset, NULL),
		        .sources = p->sources,
		        .n_sources = p->n_sources,
		};
	}
	struct pdf_labels labels;
	pdf_labels_from_catalogue(&labels);
	const struct pdf_doc doc = {
	        .title = page_msg("library.guide.heading"),
	        .subtitle = "Bench Police Department",
	        .provider = page_msg("site.default_name"),
	        .as_of = pack.meta.as_of,
	        .draft = true,
	        .disclaimer = pack.meta.disclaimer,
	        .base_url = "https://portal.example.org",
	        .labels = &labels,
	        .parts = parts,
	        .n_parts = n,
	};
	double pdf_ms[MAX_COUNT], html_ms[MAX_COUNT];
	size_t len = 0, words = 0;
	for (int k = 0; k < count; k++) {
		struct arena *run = arena_create(0);
		char *bytes;
		double t0 = now_ms();
		if (!run || pdf_guide(run, &doc, &bytes, &len) != 0) {
			fprintf(stderr, "pdf: pdf_guide failed\n");
			return 1;
		}
		pdf_ms[k] = now_ms() - t0;
		t0 = now_ms();
		words = 0;
		for (size_t i = 0; i < n; i++) {
			struct md_result r;
			if (markdown_render(run, parts[i].markdown, strlen(parts[i].markdown),
			                    "bench", 1, NULL, &r) != 0)
				return 1;
			words += r.words;
		}
		html_ms[k] = now_ms() - t0;
		arena_destroy(run);
	}
	/* "ms parts words bytes html_ms" on one line, for bench/run. */
	printf("%.1f %zu %zu %zu %.1f\n", median(pdf_ms, (int)count), n, words, len,
	       median(html_ms, (int)count));
	arena_destroy(a);
	return 0;
}

/* csvw.c — the CSV cell and row writer (see csvw.h). */
#include "io/csvw.h"

#include <string.h>

bool csvw_is_formula(const char *s, size_t n)
{
	if (n == 0)
		return false;
	switch (s[0]) {
	case '=':
	case '+':
	case '-':
	case '@':
	case '\t':
	case '\r': return true;
	default: return false;
	}
}

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return false;
	/* spreadsheets trim unquoted edges; quoting keeps them */
	if (s[0] == ' ' || s[n - 1] == ' ')
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

void csvw_cell(FILE *out, int col, const char *s, size_t n, bool neutralise)
{
	if (col > 0)
		fputc(',', out);
	if (!s)
		return;
	bool quote = needs_quotes(s, n);
	if (quote)
		fputc('"', out);
	if (neutralise && csvw_is_formula(s, n))
		fputc('\'', out);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"')
			continue;
		fwrite(s + run, 1, i + 1 - run, out);
		fputc('"', out); /* "" inside a quoted field */
		run = i + 1;
	}
	fwrite(s + run, 1, n - run, out);
	if (quote)
		fputc('"', out);
}

void csvw_end_row(FILE *out)
{
	fputs("\r\n", out);
}

int csvw_row(FILE *out, const char *const *cells, int n, bool neutralise)
{
	for (int i = 0; i < n; i++)
		csvw_cell(out, i, cells[i], cells[i] ? strlen(cells[i]) : 0, neutralise);
	csvw_end_row(out);
	return ferror(out) ? -1 : 0;
}

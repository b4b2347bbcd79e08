/* csvw.h — writing CSV (RFC 4180): one cell or one row at a time to a
 * FILE*, quoted only where needed, rows ended by CRLF. Cells that a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * can be neutralised with a leading single quote, so an exported or
 * rejected-rows file never executes what a client typed. Used by the
 * exporter and by the importer's file of rejected rows. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The UTF-8 byte-order mark Excel needs to read a CSV file as UTF-8. */
#define CSVW_BOM "\xEF\xBB\xBF"

/* True when a spreadsheet would take s as a formula (or as the start of
 * one): its first byte is = + - @, a tab or a carriage return. */
bool csvw_is_formula(const char *s, size_t n);

/* Writes cell number col of the current row (a comma first unless col is
 * 0): quoted when it holds a comma, quote, CR, LF or starts or ends with
 * a space; inner quotes doubled. With neutralise, a formula-like value
 * gets a leading ' (numbers the caller knows to be numbers should be
 * written with neutralise false, so "-5" stays a number). */
void csvw_cell(FILE *out, int col, const char *s, size_t n, bool neutralise);

/* Ends the current row with CRLF. */
void csvw_end_row(FILE *out);

/* Writes a whole row of n NUL-terminated cells (NULL is an empty cell)
 * and its CRLF. Returns 0, or -1 when the stream has an error. */
int csvw_row(FILE *out, const char *const *cells, int n, bool neutralise);

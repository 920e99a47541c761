/* lobedice-batch: a whole data set compared case by case with the pipeline of LobeDice
 * (cli_case), the per-case results kept one file per case (for --resume, --shard and merge),
 * and the tables, summaries and plots made from them (docs/batch.md). Parsing, files and
 * formatting only: every number comes from the core (lobedice_compare, lobedice_stats_describe,
 * lobedice_bland_altman). */
#ifndef LOBEDICE_BATCH_H
#define LOBEDICE_BATCH_H

#include "cli_case.h"
#include "cli_options.h"

#include "lobedice/lobedice.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BATCH_MSG_SIZE 4096

/* Exit statuses: 0 every case compared and every file paired; 1 results written, but a case
 * failed or a file was left unpaired; 2 usage error; 3 no results (the run itself failed). */
#define BATCH_EXIT_PARTIAL 1
#define BATCH_EXIT_USAGE 2
#define BATCH_EXIT_FATAL 3

/* ---- the data set (batch_pairs.c) --------------------------------------------------------- */

typedef struct batch_case {
    char *name, *reference, *prediction;
    char *problem; /* set when the case cannot be run (two files for one case): the reason */
} batch_case;

typedef struct batch_unmatched {
    char *side; /* "reference" or "prediction" */
    char *path;
    char *reason;
} batch_unmatched;

typedef struct batch_dataset {
    batch_case *cases; /* sorted by name (byte order) */
    size_t ncases;
    batch_unmatched *unmatched; /* sorted by side, then path */
    size_t nunmatched;
} batch_dataset;

/* Pairs the label maps of two folders by case name: the file name without its extension
 * (.seg.nrrd, .nii.gz, .nrrd, .nhdr, .nii, .mha, .mhd, any case). A file without a partner, or
 * with an unknown extension, is listed in unmatched; hidden files and folders are skipped.
 * Returns 0, or BATCH_EXIT_USAGE with a sentence when a folder cannot be read. */
int batch_pair_folders(batch_dataset *d, const char *reference_dir, const char *prediction_dir,
                       char *msg, size_t size);

/* Reads a manifest: CSV with a header naming the columns case, reference and prediction (in any
 * order; other columns are ignored); relative paths are relative to the manifest's folder.
 * Returns 0, or BATCH_EXIT_USAGE with a sentence naming the file, line and field. */
int batch_read_manifest(batch_dataset *d, const char *path, char *msg, size_t size);

void batch_dataset_free(batch_dataset *d);

/* "<dir>/<name><suffix>" (malloc'd; NULL when out of memory), without doubling dir's slash. */
char *batch_path_join(const char *dir, const char *name, const char *suffix);

/* Whether case `index` of `ncases` belongs to shard k of n (1 <= k <= n): round robin over the
 * sorted cases, index % n == k - 1. */
int batch_in_shard(size_t index, unsigned k, unsigned n);

/* ---- one case's results (batch_record.c) -------------------------------------------------- */

typedef struct batch_row {
    char *name;
    int region; /* 0 label, 1 region */
    int64_t *labels;
    size_t nlabels;
    char *presence; /* lobedice_presence_name */
    double values[LOBEDICE_MEASURE_COUNT];
} batch_row;

typedef struct batch_record {
    char *name, *reference, *prediction;
    char *fingerprint; /* the inputs and options it was made from (batch_fingerprint) */
    int failed;
    char *message;   /* the failure's sentence; "" when it did not fail */
    char *alignment; /* cli_alignment_name; "" when it failed */
    batch_row *rows;
    size_t nrows;
} batch_record;

/* The identity of a case's inputs and options: the tool's version, the comparison flags given,
 * and each file's path, size and modification time. malloc'd; NULL when out of memory. A file
 * that cannot be examined gets "missing" (its case then fails when it runs). */
char *batch_fingerprint(const char *options_text, const batch_case *c);

/* The record of a case that ran (cc holds its comparison) or failed (cc NULL, message set).
 * Returns 0 or -1 when out of memory. */
int batch_record_make(batch_record *r, const batch_case *c, const char *fingerprint,
                      const cli_case *cc, const char *message);

/* The record as JSON text (malloc'd; NULL when out of memory); numbers carry 17 significant
 * digits so that they read back as the same doubles. */
char *batch_record_json(const batch_record *r);

/* Reads a record file. Returns 0, or -1 with a sentence when it is missing or not a valid
 * record. */
int batch_record_load(batch_record *r, const char *path, char *msg, size_t size);

void batch_record_free(batch_record *r);

/* "<cases_dir>/<name>.json" (malloc'd). */
char *batch_record_path(const char *cases_dir, const char *name);

/* ---- what a run was (batch_results.c) ----------------------------------------------------- */

typedef struct batch_info {
    batch_dataset data;
    char **flags, **values; /* the comparison flags given ("--labels", "1,2,3"), XML order */
    size_t nflags;
    unsigned shard_k, shard_n; /* 0/0: not a shard */
    char *options_text;        /* flags and values, one "flag=value" line each */
} batch_info;

/* The options text of the flags (malloc'd "flag=value\n" lines; "" for none). */
char *batch_options_text(char *const *flags, char *const *values, size_t nflags);

/* Parses the recorded flags back into comparison options (as the command line would). */
int batch_info_options(cli_options *opts, const batch_info *info, char *msg, size_t size);

/* Reads <dir>/run.json. Returns 0, or -1 with a sentence. */
int batch_info_load(batch_info *info, const char *dir, char *msg, size_t size);

void batch_info_free(batch_info *info);

/* Writes cases.csv, summary.csv, summary.json, failures.csv, unmatched.csv, run.json and
 * plots/ into dir, all or nothing, from the records (one per case of the run's slice, in case
 * order). threads: for the bootstrap. *table receives the summary as a table for a person
 * (malloc'd). Returns 0, or -1 with a sentence. */
int batch_write_results(const char *dir, const batch_info *info, const batch_record *records,
                        size_t nrecords, size_t threads, char **table, char *msg, size_t size);

/* ---- the output folder (batch_folder.c) ---------------------------------------------------
 * Results are built in <out>/.lobedice-next/ (per-case records in its cases/ as each case
 * ends), which replaces <out> whole, in one rename, once everything is written. */
typedef struct batch_folder {
    char *out;       /* the folder asked for */
    char *work;      /* <out>/.lobedice-next */
    char *cases;     /* <work>/cases */
    char *old_cases; /* <out>/cases: records of the last complete run */
    int lock_fd;
} batch_folder;

/* Opens (creating) the output folder for writing: refuses a folder holding files that are not
 * lobedice-batch results, or one another run is writing. keep: keep the records of a killed run
 * (--resume); otherwise they are removed. Returns 0, or BATCH_EXIT_USAGE / BATCH_EXIT_FATAL
 * with a sentence. */
int batch_folder_open(batch_folder *f, const char *out, int keep, char *msg, size_t size);

/* Puts the finished work folder in place of the output folder and removes the old results.
 * Returns 0, or -1 with a sentence. */
int batch_folder_finish(batch_folder *f, char *msg, size_t size);

void batch_folder_close(batch_folder *f);

/* Writes `len` bytes to path through a temporary file and a rename (cli_outputs). Returns 0,
 * or -1 with a sentence. */
int batch_write_file(const char *path, const void *data, size_t len, char *msg, size_t size);

/* ---- running the cases (batch_run.c) ------------------------------------------------------ */

typedef struct batch_plan {
    size_t jobs;       /* cases at once */
    size_t threads;    /* threads per case */
    char **flag_words; /* the comparison flags as command-line words, for the case processes */
    size_t nflag_words;
} batch_plan;

/* The hidden flag that makes lobedice-batch the worker of one case (batch_run.c starts it). */
#define BATCH_WORKER_FLAG "worker-case"

/* The worker's part: compares case c and writes its record into f->cases. Returns 0 once the
 * record is written (whether the case failed or not), -1 with a sentence when it cannot be. */
int batch_run_one(const batch_info *info, const cli_options *opts, const batch_folder *f,
                  const batch_case *c, size_t threads, char *msg, size_t size);

/* Runs the cases `todo` (indices into info->data.cases), `jobs` at a time, each in a process
 * of its own (this program started anew as a worker) that writes its record into f->cases (a
 * case whose process dies gets a failure record), with a progress display on standard error.
 * Returns 0, or -1 with a sentence when a record cannot be written. */
int batch_run_cases(const batch_info *info, const size_t *todo, size_t ntodo, const batch_folder *f,
                    const batch_plan *plan, char *msg, size_t size);

/* ---- plots (batch_plots.cxx) --------------------------------------------------------------- */

/* One box of a box plot: Tukey's box from the core's statistics, and the values drawn as
 * outliers (those beyond the whiskers). */
typedef struct batch_box {
    const char *name;
    lobedice_stats stats;
    const double *outliers;
    size_t noutliers;
} batch_box;

/* A PNG of box plots, one per row (name under it), y axis labelled `y_label`. Returns the PNG
 * bytes (malloc'd, *len set) or NULL with a sentence. */
unsigned char *batch_plot_boxes(size_t *len, const char *title, const char *y_label,
                                const batch_box *boxes, size_t nboxes, char *msg, size_t size);

/* One group of points of a Bland-Altman plot (a lobe): x = mean of the two volumes, y = their
 * difference, with its agreement (bias and limits). Group g is drawn in the colour of the
 * (g+1)-th reported label (cli_label_color), as in LobeDice's pictures. */
typedef struct batch_ba_group {
    const char *name;
    const double *x, *y; /* n points; NaN points are skipped */
    size_t n;
    lobedice_agreement agreement;
} batch_ba_group;

unsigned char *batch_plot_bland_altman(size_t *len, const char *title, const char *x_label,
                                       const char *y_label, const batch_ba_group *groups,
                                       size_t ngroups, char *msg, size_t size);

#ifdef __cplusplus
}
#endif

#endif

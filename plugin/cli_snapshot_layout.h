/* Where things sit in the snapshot (pixels from its top-left corner, y downwards), and its
 * fixed settings; the tests read the same numbers to find the panels. */
#ifndef LOBEDICE_CLI_SNAPSHOT_LAYOUT_H
#define LOBEDICE_CLI_SNAPSHOT_LAYOUT_H

enum {
    snapshot_width = 1600,
    snapshot_height = 900,
    snapshot_margin = 10,
    snapshot_panel_width = 520,
    snapshot_panel_height = 410,
    snapshot_panels_top = 62,
    snapshot_table_rows = 12 /* label rows shown in the picture's table */
};

static const double snapshot_fill_opacity = 0.4;    /* the predicted lobes over the CT */
static const double snapshot_ct_window = 1500;      /* lung window, HU */
static const double snapshot_ct_level = -600;       /* HU */
static const double snapshot_default_range_mm = 10; /* 3-D colour range without HD95 */

typedef struct snapshot_rect {
    int x, top, w, h;
} snapshot_rect;

/* Panel k: 0 axial, 1 coronal, 2 sagittal (top row), 3 the 3-D view (bottom left). */
static inline snapshot_rect snapshot_panel(int k)
{
    const int step = snapshot_panel_width + snapshot_margin;
    snapshot_rect r = {snapshot_margin + (k % 3) * step, snapshot_panels_top, snapshot_panel_width,
                       snapshot_panel_height};
    if (k == 3) {
        r.x = snapshot_margin;
        r.top = snapshot_panels_top + snapshot_panel_height + snapshot_margin;
        r.h = snapshot_height - r.top - snapshot_margin;
    }
    return r;
}

/* The table of figures and the legend, right of the 3-D view. */
static inline snapshot_rect snapshot_table(void)
{
    const snapshot_rect v = snapshot_panel(3);
    const snapshot_rect r = {v.x + v.w + 2 * snapshot_margin, v.top + snapshot_margin,
                             snapshot_panel_width - snapshot_margin, v.h - 2 * snapshot_margin};
    return r;
}

static inline snapshot_rect snapshot_legend(void)
{
    snapshot_rect r = snapshot_table();
    r.x = snapshot_panel(2).x + snapshot_margin;
    return r;
}

#endif

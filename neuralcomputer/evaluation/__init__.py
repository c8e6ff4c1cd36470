"""Closed-loop evaluation of a neural computer against recordings of the real software.

Each chosen episode is booted from its first screen, then the model runs on the episode's
recorded actions alone for H steps, and every screen it predicts is compared with the real
one. The model is compared with two baselines run the same way: `copy-last-frame` (the boot
screen forever; always run) and `seed-gru` (when a checkpoint is given).

Which episodes: "heldout" (default) takes the episodes whose seed is held out of training
(`neuralcomputer.recordings.is_heldout` at fraction 0.1, as training uses); "all" takes
every episode, for a recording made only for evaluation; or give episode indices.

Measures, per step (`ground_truth.StepTotals`, `metrics`):

    psnr              dB on RGB 0..255, from the MSE pooled over all episodes at that
                      step; 99 when exact
    ssim              Gaussian-window SSIM (11x11, sigma 1.5) on BT.601 luminance, mean
                      over episodes
    exact_pixel_rate  share of pixels whose palette index is exactly right
    changed_pixel_rate  share of the pixels that changed at this step in the real software
                      that are exactly right, pooled over the episodes: what a model has
                      learnt of the program beyond copying (copying scores 0 teacher
                      forced); undefined at a step where nothing changed
    cursor_error_px   distance between the centroids of the pointer-colour pixels of the
                      predicted and the real screen; a pointer missing from one of them
                      costs the screen diagonal (missing from both: 0); null for software
                      without a pointer colour
    text_accuracy     share of the characters on the real screen (the software's own
                      `text_regions()`, replayed with the episode's seed and actions) read
                      back exactly from the predicted screen, pooled over the episodes;
                      spaces are not counted (a blank screen reads them right); undefined
                      at a step with no text (skipped in the means); null for software
                      that lists no text

The JSON `evaluate` returns (and `ncomp eval --json` writes); floats rounded:

    {
      "model": "desktop-grid-gru",            # name or checkpoint directory
      "data": "runs/heldout",                 # the recording
      "split": "heldout",                     # "heldout", "all" or "chosen"
      "episodes": 8,                          # how many were run
      "horizon": 1000,                        # steps after boot, H
      "psnr_by_step": [41.2, ...],            # H values, step 1 first
      "at": {                                 # keys "1", "10", "100", "1000" up to H
        "10": {"psnr": 38.1, "ssim": 0.97, "exact_pixel_rate": 0.995, "changed_pixel_rate": 0.8,
               "cursor_error_px": 1.4, "text_accuracy": 0.98},   # means over steps 1..10
        ...
      },
      "teacher_forced": {"psnr": 44.0, ...},  # only with teacher_forced=True (--teacher-forced):
                                              # the measures of one step ahead of the true past,
                                              # averaged over steps 1..H
      "steps_per_second": 812.5,              # model.step at batch 1, screen copied to host
      "baselines": {                          # same "psnr_by_step", "at" and "steps_per_second" per
        "copy-last-frame": {"psnr_by_step": [...], "at": {...}, "steps_per_second": 3000.0},   # baseline,
        "seed-gru": {"psnr_by_step": [...], "at": {...}, "steps_per_second": 180.0}   # timed in turns with
      },                                      # the model; and "teacher_forced" when asked
      "notes": ["baseline seed-gru skipped: no model given"]
    }

The report (`report_dir`) holds report.md, psnr.png, exact_pixel_rate.png and episode.mp4
(real | neural | difference on the first chosen episode).
"""

from neuralcomputer.evaluation.closed_loop import evaluate

__all__ = ["evaluate"]

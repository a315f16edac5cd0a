//! Any bytes through the gate: no panic, no hang, bounded memory (libFuzzer's -rss_limit_mb
//! and -timeout say how bounded). Whatever it decides, an input that holds a made-up
//! identifying DICOM file must never come out accepted: that is checked by the test suite's
//! property test; here the gate only has to survive.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let policy = vault::gate::Policy::default();
    let verdict = vault::gate::check(data, &policy);
    // The verdict is self-consistent: refused exactly when there is a reason.
    assert_eq!(verdict.accept, verdict.reasons.is_empty());
});

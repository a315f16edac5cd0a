use super::*;

fn frame(pixels: Vec<u8>, chroma: Option<Vec<u8>>) -> Frame {
    let n = pixels.len() as u32;
    Frame { gray: Gray::new(n, 1, pixels), chroma: chroma.map(|c| Gray::new(n, 1, c)), hue: None }
}

#[test]
fn a_dark_ground_turns_light_and_each_level_of_text_is_a_rendering() {
    // Black ground, one white pixel in 1000, one light grey, no colour.
    let mut pixels = vec![0u8; 1000];
    pixels[5] = 255;
    pixels[9] = 200;
    let levels = Prepare { contrast: false, flat: false, ..Prepare::DEFAULT };
    let r = levels.renderings(&frame(pixels.clone(), None));
    assert_eq!(r[0].pixels[0], 255, "the ground is light");
    assert_eq!(r[0].pixels[5], 0, "the text is dark");
    // White alone (1 in 1000), white and light grey (2 in 1000); no dark level (it is the
    // ground, 998 in 1000).
    assert_eq!(r.len(), 3);
    assert_eq!((r[1].pixels[5], r[1].pixels[9]), (0, 255));
    assert_eq!((r[2].pixels[5], r[2].pixels[9]), (0, 0));
    // Colour: a rendering of the coloured pixels.
    let mut chroma = vec![0u8; 1000];
    chroma[7] = 200;
    let r = levels.renderings(&frame(pixels.clone(), Some(chroma)));
    assert_eq!(r.len(), 4);
    assert_eq!(r[3].pixels[7], 0);
    // Local contrast: the two pixels that stand out of their black neighbourhood.
    let r = Prepare { flat: false, ..Prepare::DEFAULT }.renderings(&frame(pixels.clone(), None));
    assert_eq!(r.len(), 4);
    assert_eq!((r[3].pixels[5], r[3].pixels[9], r[3].pixels[0]), (0, 0, 255));
    assert_eq!(Prepare::NONE.renderings(&frame(pixels, None)).len(), 1);
}

#[test]
fn specks_are_cleared_where_they_crowd_and_nothing_else_is() {
    // 400 x 300, white: speckle (single dark pixels, every second pixel of every second row)
    // over the left 240 columns, 18,000 specks; a bar of text-sized strokes (3 x 12) over the
    // speckle; a full stop (2 x 2) and a colon in the plain right part.
    let (w, h) = (400usize, 300usize);
    let mut pixels = vec![255u8; w * h];
    for y in (0..h).step_by(2) {
        for x in (0..240).step_by(2) {
            pixels[y * w + x] = 0;
        }
    }
    for stroke in 0..6 {
        for y in 100..112 {
            for x in 0..3 {
                pixels[y * w + 60 + stroke * 8 + x] = 0;
            }
        }
    }
    for (x, y) in [(300, 150), (301, 150), (300, 151), (301, 151), (320, 140), (320, 150)] {
        pixels[y * w + x] = 0;
    }
    let dark = |g: &Gray, x: usize, y: usize| g.pixels[y * w + x] == 0;
    let mut g = Gray::new(w as u32, h as u32, pixels.clone());
    despeckle(&mut g);
    assert!(!dark(&g, 30, 30) && !dark(&g, 238, 298), "the speckle is cleared");
    assert!((0..6).all(|s| dark(&g, 61 + s * 8, 105)), "the strokes are kept");
    assert!(dark(&g, 300, 150) && dark(&g, 320, 140) && dark(&g, 320, 150), "the stops are kept");
    // Fewer specks than a picture's speckle (3,450): nothing is cleared.
    let few: Vec<u8> = pixels.iter().enumerate().map(|(i, &p)| if i % w < 45 { p } else { 255 }).collect();
    let mut g = Gray::new(w as u32, h as u32, few.clone());
    despeckle(&mut g);
    assert!(g.pixels == few, "specks cleared from a rendering of few");
}

#[test]
fn faint_text_stands_out_of_a_plain_ground() {
    // A ground of 245 with a stroke of 180 (65 levels off): only the stroke stands out.
    let mut pixels = vec![245u8; 60 * 60];
    for x in 20..40 {
        pixels[30 * 60 + x] = 180;
    }
    let out = standing_out(&Gray::new(60, 60, pixels));
    assert_eq!(out.pixels.iter().filter(|&&p| p == 255).count(), 20);
    assert_eq!(out.pixels[30 * 60 + 25], 255);
}

#[test]
fn text_of_one_level_over_speckle_is_a_rendering_of_its_own() {
    // Speckle spread over every level (each level 40 pixels), a drawing at 146 and 149 (two
    // colours of one text, 400 pixels each), white at 255 (the level rendering's).
    let mut pixels: Vec<u8> = (0..40).flat_map(|_| 0..=255u8).collect();
    pixels.extend([146u8; 400].iter().chain(&[149u8; 400]).chain(&[255u8; 400]));
    let hist = histogram(&pixels);
    // One band for both colours (the white is left to its level rendering); none in the
    // speckle alone.
    assert_eq!(flat_levels(&hist), [(143, 152)]);
    assert!(flat_levels(&histogram(&pixels[..40 * 256])).is_empty());
    let only_flat = Prepare { flat: true, ..Prepare::NONE };
    let r = only_flat.renderings(&Frame::grey(Gray::new(pixels.len() as u32, 1, pixels.clone())));
    assert_eq!(r.len(), 2);
    let dark = r[1].pixels.iter().filter(|&&p| p == 0).count();
    assert_eq!(dark, 800 + 40 * 10, "the drawing and the speckle at its levels");
    // A band that a level rendering already read (text at 250 and nothing else that light)
    // is not read again.
    let mut light: Vec<u8> = (0..40).flat_map(|_| 0..=200u8).collect();
    light.extend([250u8; 400]);
    let frame = Frame::grey(Gray::new(light.len() as u32, 1, light));
    let both = Prepare { levels: true, flat: true, ..Prepare::NONE };
    let levels_only = Prepare { levels: true, ..Prepare::NONE };
    assert_eq!(both.renderings(&frame).len(), levels_only.renderings(&frame).len());
}

#[test]
fn a_comb_of_levels_is_no_text_and_text_over_speckle_is() {
    // A picture scaled from more bits fills every second level, or every third: no level of
    // it is flat, though each full level holds two or three times its neighbours' mean.
    for period in [2usize, 3] {
        let comb: Vec<u8> = (0..60).flat_map(|_| (0..=255u8).step_by(period)).collect();
        assert!(flat_levels(&histogram(&comb)).is_empty(), "every {period} levels");
    }
    // Text drawn at 146 over speckle of 100 pixels a level: 160 more (2.6 times) is a band;
    // 140 more (2.4 times) is not.
    let mut pixels: Vec<u8> = (0..100).flat_map(|_| 0..=255u8).collect();
    pixels.extend([146u8; 160]);
    assert_eq!(flat_levels(&histogram(&pixels)), [(143, 149)]);
    pixels.truncate(100 * 256 + 140);
    assert!(flat_levels(&histogram(&pixels)).is_empty());
}

#[test]
fn the_levels_most_above_their_neighbours_are_read_not_the_most_frequent() {
    // A picture dense at its dark levels (1,000 pixels each, below 110) with a flat patch at
    // 80 (1,600 pixels over its neighbours: 2.6 times), sparse above (10 a level), and three
    // texts at 150, 190 and 230 (1,900 pixels over theirs): the three texts are read, though
    // the patch holds more pixels than any.
    let mut pixels: Vec<u8> = (0..=255u8).flat_map(|l| vec![l; if l < 110 { 1000 } else { 10 }]).collect();
    pixels.extend([80u8; 1600].iter().chain(&[150u8; 1900]).chain(&[190u8; 1900]).chain(&[230u8; 1900]));
    assert_eq!(flat_levels(&histogram(&pixels)), [(147, 153), (187, 193), (227, 233)]);
}

#[test]
fn three_small_decoys_at_empty_levels_do_not_crowd_text_out() {
    // Speckle of 100 pixels a level up to 200, nothing above; text at 146 (400 pixels over
    // the speckle, five times); three squares of 60 pixels at 215, 230 and 245, where the
    // picture has none (infinitely many times their neighbours).
    let mut pixels: Vec<u8> = (0..100).flat_map(|_| 0..=200u8).collect();
    pixels.extend([146u8; 400].iter().chain(&[215u8; 60]).chain(&[230u8; 60]).chain(&[245u8; 60]));
    let bands = flat_levels(&histogram(&pixels));
    assert_eq!(bands.len(), 3);
    assert!(bands.contains(&(143, 149)), "{bands:?}");
}

#[test]
fn bands_that_grow_into_each_other_are_one() {
    // Spikes at 100, 112 and 106 (taken in that order): 106, last, grows 100's band until it
    // reaches 112's, and the two are one.
    let mut pixels: Vec<u8> = (0..20).flat_map(|_| 0..=255u8).collect();
    pixels.extend([100u8; 300].iter().chain(&[112u8; 250]).chain(&[106u8; 230]));
    assert_eq!(flat_levels(&histogram(&pixels)), [(97, 115)]);
}

#[test]
fn text_of_another_hue_as_bright_as_its_ground_is_a_rendering_of_its_own() {
    // A green ground with noise, 1,000 pixels of magenta text of the same luma.
    let (w, h) = (200u32, 100u32);
    let mut rgb = Vec::new();
    for i in 0..w * h {
        let n = (i * 7919 % 17) as u8;
        let text = i % 20 == 3;
        rgb.extend(if text { [200, 60, 200] } else { [52 + n, 152 + n, 52 + n] });
    }
    let frame = Frame::from_rgb(w, h, &rgb);
    let flat = Prepare { flat: true, ..Prepare::NONE };
    assert_eq!(flat.renderings(&frame).len(), 1, "without colour, no hue is read");
    let r = Prepare { colour: true, ..flat }.renderings(&frame);
    // The coloured pixels are the whole frame (not read: the ground); the hue rendering is
    // the text alone.
    assert_eq!(r.len(), 2);
    let dark: Vec<usize> = (0..rgb.len() / 3).filter(|&i| r[1].pixels[i] == 0).collect();
    assert_eq!(dark.len(), (w * h / 20) as usize);
    assert!(dark.iter().all(|i| i % 20 == 3));
}

#[test]
fn a_decoy_of_as_many_coloured_pixels_does_not_hide_a_hue() {
    // Muted magenta text (50 from grey) on a muted green as bright (no coloured pixels in
    // either), and a bright yellow logo of as many pixels elsewhere: the coloured pixels'
    // rendering is the logo alone; the text's hue is read all the same.
    let (w, h) = (200u32, 100u32);
    let mut rgb = Vec::new();
    for i in 0..w * h {
        let n = (i * 7919 % 9) as u8;
        rgb.extend(match i % 20 {
            3 => [150, 100, 150],
            7 => [255, 230, 0],
            _ => [100 + n, 130 + n, 100 + n],
        });
    }
    let frame = Frame::from_rgb(w, h, &rgb);
    let r = Prepare { colour: true, flat: true, ..Prepare::NONE }.renderings(&frame);
    let text: Vec<&Gray> = r.iter().filter(|g| g.pixels[3] == 0 && g.pixels[23] == 0).collect();
    assert_eq!(text.len(), 1, "the text's hue is a rendering");
    assert!(text[0].pixels[7] == 255, "… of the text, not the logo");
}

#[test]
fn an_enlarged_rendering_is_scaled() {
    let r = Prepare { scale: 2, ..Prepare::NONE }.renderings(&frame(vec![9; 4], None));
    assert_eq!((r[0].width, r[0].height), (8, 2));
}

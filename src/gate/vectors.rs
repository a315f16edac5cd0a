//! Text drawn as lines: the graphics a presentation state has a viewer draw over an image
//! (GraphicData, PS3.3 C.10.5) and the contours a structure set has a planning system draw
//! (ContourData, PS3.3 C.8.8.6). Letters drawn as polylines, or as contours shaped like
//! glyphs, show a name on a screen as plainly as pixels do; so each drawing is drawn here, black
//! on white, and read by OCR like a frame.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use crate::ocr::{Frame, Gray};

use super::pixels::{DataSet, Unread, open};

/// The longer side of a drawing, in pixels: letters a tenth of a drawing's width are drawn
/// large enough to read.
const SIDE: f64 = 1200.0;
/// The line a viewer draws is a few pixels wide.
const PEN: i64 = 2;
/// Drawings read at most: a structure set has one per structure and plane orientation, a
/// presentation state one per kind of units; past this they are drawn together.
const MOST: usize = 48;
/// Triangle Point Index List (0066,0023), retired for the long list but still written.
const TRIANGLES: Tag = Tag(0x0066, 0x0023);
/// Points read at most in all (a contour has hundreds; a structure set tens of thousands).
const MOST_POINTS: usize = 4_000_000;

/// The drawings of a data set, each as a frame: `graphics` from GraphicData (one drawing per
/// kind of units: image pixels, or the display's fractions), `contours` from ContourData (one
/// per structure and per orientation of its planes, each contour in its own plane's
/// coordinates, its parallel planes laid over one another).
pub struct Drawings {
    pub graphics: Vec<(u32, Frame)>,
    pub contours: Vec<(u32, Frame)>,
}

/// Lines in a plane: each a run of points, closed or not.
#[derive(Default)]
struct Drawing {
    lines: Vec<(Vec<[f64; 2]>, bool)>,
    /// Lines and points in space, not yet in a plane ([`settle`]).
    space: Vec<Vec<[f64; 3]>>,
}

pub fn drawings(data: DataSet<'_>) -> Result<Drawings, Unread> {
    let file = open(data)?;
    let mut graphics: Vec<(String, Drawing)> = Vec::new();
    let mut contours: Vec<(String, Drawing)> = Vec::new();
    let mut points = 0usize;
    walk(&file, "", "", &mut graphics, &mut contours, &mut points);
    if points > MOST_POINTS {
        return Err(Unread::TooLarge);
    }
    settle(&mut graphics);
    settle(&mut contours);
    Ok(Drawings { graphics: frames(graphics), contours: frames(contours) })
}

/// Every item of every sequence, at any depth, with the structure number its ROI contour item
/// gives (a contour's drawing is its structure's) or the beam its beam item does, and the
/// annotation coordinate type (2D, 3D) a bulk annotations object gives at its top.
fn walk(
    obj: &InMemDicomObject,
    roi: &str,
    annotations: &str,
    graphics: &mut Vec<(String, Drawing)>,
    contours: &mut Vec<(String, Drawing)>,
    points: &mut usize,
) {
    // What a drawing belongs to: a contour's structure, a block's beam.
    let roi = match (text(obj, tags::REFERENCED_ROI_NUMBER), text(obj, tags::BEAM_NUMBER)) {
        (Some(n), _) => n,
        (None, Some(beam)) => format!("beam {beam}"),
        (None, None) => roi.to_string(),
    };
    // A beam's blocks (PS3.3 C.8.8.14.4): polygons in the beam's eye view, in millimetres.
    if let Some(data) = floats(obj, tags::BLOCK_DATA) {
        *points += data.len() / 2;
        if *points <= MOST_POINTS {
            // Its y grows up the screen (IEC 61217), an image's rows down.
            let pts: Vec<[f64; 2]> = data.chunks_exact(2).map(|p| [p[0], -p[1]]).collect();
            add(graphics, format!("blocks of {roi}"), vec![(pts, true)]);
        }
    }
    // Microscopy bulk annotations (PS3.3 C.37.1.2): primitives of points, 2-D on the slide or
    // 3-D, each starting where the index list says.
    let coordinates = text(obj, tags::ANNOTATION_COORDINATE_TYPE).unwrap_or_else(|| annotations.to_string());
    if !coordinates.is_empty()
        && let Some(data) = floats(obj, tags::POINT_COORDINATES_DATA)
            .or_else(|| floats(obj, tags::DOUBLE_POINT_COORDINATES_DATA))
    {
        let dims = if coordinates == "3D" { 3 } else { 2 };
        *points += data.len() / dims;
        if *points <= MOST_POINTS {
            let graphic = text(obj, tags::GRAPHIC_TYPE).unwrap_or_default();
            let count = data.len() / dims;
            let mut starts = indices(obj, tags::LONG_PRIMITIVE_POINT_INDEX_LIST)
                .unwrap_or_else(|| if graphic == "POINT" { (1..=count as u32).collect() } else { vec![1] });
            // The list counts coordinates (PS3.3 C.37.1.2: a 2-D point is two of them); past
            // the points' count it cannot count points.
            if starts.iter().any(|&i| i as usize > count) {
                starts = starts.iter().map(|&i| (i.saturating_sub(1) / dims as u32) + 1).collect();
            }
            for (k, &first) in starts.iter().enumerate() {
                let from = (first as usize).saturating_sub(1).min(count);
                let to =
                    starts.get(k + 1).map_or(count, |&n| (n as usize).saturating_sub(1).clamp(from, count));
                let run = &data[from * dims..to * dims];
                let closed = matches!(graphic.as_str(), "POLYGON" | "RECTANGLE" | "ELLIPSE");
                if dims == 3 {
                    let pts: Vec<[f64; 3]> = run.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
                    in_space(graphics, "annotations in space", pts, closed);
                } else {
                    let pts: Vec<[f64; 2]> = run.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
                    add(graphics, "annotations".into(), vec![(pts, closed)]);
                }
            }
        }
    }
    // A surface segmentation's mesh (PS3.3 C.27): its triangles' edges, in the plane its points
    // spread least across (letters modelled flat lie in it).
    if let (Some(points_item), Some(mesh)) = (
        first_item(obj, tags::SURFACE_POINTS_SEQUENCE),
        first_item(obj, tags::SURFACE_MESH_PRIMITIVES_SEQUENCE),
    ) && let Some(data) = floats(points_item, tags::POINT_COORDINATES_DATA)
    {
        *points += data.len() / 3;
        let corners =
            indices(mesh, tags::LONG_TRIANGLE_POINT_INDEX_LIST).or_else(|| indices(mesh, TRIANGLES));
        if *points <= MOST_POINTS
            && let Some(corners) = corners
        {
            let at = |i: u32| {
                data.get((i as usize).checked_sub(1)? * 3..i as usize * 3).map(|p| [p[0], p[1], p[2]])
            };
            let space: Vec<Vec<[f64; 3]>> = corners
                .chunks_exact(3)
                .filter_map(|t| Some(vec![at(t[0])?, at(t[1])?, at(t[2])?, at(t[0])?]))
                .collect();
            if !space.is_empty() {
                graphics.push((
                    format!("surface {} lines", graphics.len()),
                    Drawing { lines: Vec::new(), space },
                ));
            }
        }
    }
    let kind = text(obj, tags::GRAPHIC_TYPE).unwrap_or_default();
    // In three dimensions where the item names a frame of reference (an SR's SCOORD3D) or says
    // so; in the image's two otherwise (a presentation state's, an SR's SCOORD).
    let three = obj.get(tags::REFERENCED_FRAME_OF_REFERENCE_UID).is_some()
        || obj.get(tags::GRAPHIC_DIMENSIONS).and_then(|e| e.value().to_int::<u32>().ok()) == Some(3);
    if let Some(data) = floats(obj, tags::GRAPHIC_DATA) {
        *points += data.len() / 2;
        if *points <= MOST_POINTS {
            if three {
                let pts: Vec<[f64; 3]> = data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
                in_space(graphics, "graphics in space", pts, kind == "POLYGON");
            } else {
                let units = text(obj, tags::GRAPHIC_ANNOTATION_UNITS).unwrap_or_default();
                let pts: Vec<[f64; 2]> = data.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
                add(graphics, format!("graphics {units}"), shape(&kind, pts));
            }
        }
    }
    if let Some(data) = floats(obj, tags::CONTOUR_DATA) {
        *points += data.len() / 3;
        if *points <= MOST_POINTS {
            let pts: Vec<[f64; 3]> = data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
            let closed = text(obj, tags::CONTOUR_GEOMETRIC_TYPE).is_some_and(|t| t == "CLOSED_PLANAR");
            in_space(contours, &format!("structure {roi}"), pts, closed);
        }
    }
    for e in obj.iter() {
        if let Some(items) = e.items() {
            for item in items {
                walk(item, &roi, &coordinates, graphics, contours, points);
            }
        }
    }
}

/// Points in patient space added to the drawing of `what`: a contour with an area, in its own
/// plane with the others facing the same way; a line or a point, kept in space with the others
/// of `what` until [`settle`] finds the plane they lie in together.
fn in_space(drawings: &mut Vec<(String, Drawing)>, what: &str, pts: Vec<[f64; 3]>, closed: bool) {
    match normal(&pts) {
        Some(n) => {
            let (facing, flat) = flatten(&pts, n);
            add(drawings, format!("{what} facing {facing}"), vec![(flat, closed)]);
        }
        None => {
            let key = format!("{what} lines");
            let flat = pts.iter().map(|p| [p[0], p[1]]).collect();
            add(drawings, key.clone(), vec![(flat, false)]);
            let at = drawings.iter().position(|(k, _)| *k == key).unwrap_or_default();
            drawings[at].1.space.push(pts);
        }
    }
}

/// Lines and points kept in space ([`in_space`]) drawn in the plane that fits them best: the
/// one across which their points spread least (letters drawn as strokes lie in one).
fn settle(drawings: &mut [(String, Drawing)]) {
    for (_, d) in drawings.iter_mut().filter(|(_, d)| !d.space.is_empty()) {
        let all: Vec<[f64; 3]> = d.space.iter().flatten().copied().collect();
        let n = least_spread(&all);
        d.lines = d.space.iter().map(|pts| (flatten(pts, n).1, false)).collect();
    }
}

fn add(drawings: &mut Vec<(String, Drawing)>, key: String, lines: Vec<(Vec<[f64; 2]>, bool)>) {
    match drawings.iter_mut().find(|(k, _)| *k == key) {
        Some((_, d)) => d.lines.extend(lines),
        None => drawings.push((key, Drawing { lines, space: Vec::new() })),
    }
}

fn first_item(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    obj.get(tag)?.items()?.first()
}

/// An index list (OL, OW, or numbers), 1-based as DICOM writes it.
fn indices(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<u32>> {
    let value = obj.get(tag)?.value();
    match value.primitive()? {
        dicom_core::PrimitiveValue::U8(b) if tag == TRIANGLES => {
            Some(b.chunks_exact(2).map(|w| u32::from(u16::from_le_bytes([w[0], w[1]]))).collect())
        }
        dicom_core::PrimitiveValue::U8(b) => {
            Some(b.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect())
        }
        _ => value.to_multi_int::<u32>().ok(),
    }
}

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    Some(obj.get(tag)?.value().to_str().ok()?.trim().to_string())
}

/// Numbers as written: text (DS), floats, or the bytes of OF and OD values (little endian).
fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let e = obj.get(tag)?;
    let v: Vec<f64> = match (e.vr(), e.value().primitive()) {
        (dicom_core::VR::OF, Some(dicom_core::PrimitiveValue::U8(b))) => {
            b.chunks_exact(4).map(|w| f64::from(f32::from_le_bytes([w[0], w[1], w[2], w[3]]))).collect()
        }
        (dicom_core::VR::OD, Some(dicom_core::PrimitiveValue::U8(b))) => {
            b.chunks_exact(8).map(|w| f64::from_le_bytes(w.try_into().unwrap_or_default())).collect()
        }
        _ => e.value().to_multi_float64().ok()?,
    };
    Some(v.into_iter().filter(|x| x.is_finite()).collect())
}

/// A graphic's lines as a viewer draws them (PS3.3 C.10.5.1.2): a polyline through its points
/// (closed where its last point is its first), a circle from its centre and a point on it, an
/// ellipse from the ends of its two axes, points as small crosses. A filled graphic is drawn
/// by its outline.
fn shape(kind: &str, pts: Vec<[f64; 2]>) -> Vec<(Vec<[f64; 2]>, bool)> {
    match (kind, pts.as_slice()) {
        ("CIRCLE", [c, edge, ..]) => {
            let r = ((edge[0] - c[0]).powi(2) + (edge[1] - c[1]).powi(2)).sqrt();
            vec![(round(*c, [r, 0.0], [0.0, r]), true)]
        }
        ("ELLIPSE", [a, b, c, d, ..]) => {
            let centre = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
            let major = [(b[0] - a[0]) / 2.0, (b[1] - a[1]) / 2.0];
            let minor = [(d[0] - c[0]) / 2.0, (d[1] - c[1]) / 2.0];
            vec![(round(centre, major, minor), true)]
        }
        ("POINT" | "MULTIPOINT", _) => pts.iter().map(|p| (vec![*p, *p], false)).collect(),
        _ => vec![(pts, false)],
    }
}

/// Points round an ellipse of centre `c` and half-axes `u` and `v`.
fn round(c: [f64; 2], u: [f64; 2], v: [f64; 2]) -> Vec<[f64; 2]> {
    (0..64)
        .map(|i| {
            let t = f64::from(i) * std::f64::consts::TAU / 64.0;
            [c[0] + u[0] * t.cos() + v[0] * t.sin(), c[1] + u[1] * t.cos() + v[1] * t.sin()]
        })
        .collect()
}

type V3 = [f64; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: V3, b: V3) -> V3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn unit(a: V3) -> Option<V3> {
    let l = dot(a, a).sqrt();
    (l > 1e-9 && l.is_finite()).then(|| [a[0] / l, a[1] / l, a[2] / l])
}

/// The normal of a contour with an area (Newell's: summed over its edges); None for a line or
/// a point, which lies in many planes.
fn normal(pts: &[V3]) -> Option<V3> {
    let mut n = [0.0; 3];
    for (i, &p) in pts.iter().enumerate() {
        let q = pts[(i + 1) % pts.len()];
        n[0] += (p[1] - q[1]) * (p[2] + q[2]);
        n[1] += (p[2] - q[2]) * (p[0] + q[0]);
        n[2] += (p[0] - q[0]) * (p[1] + q[1]);
    }
    // An area that small beside the contour's size is a line drawn there and back.
    let size = pts.windows(2).map(|w| dot(sub(w[1], w[0]), sub(w[1], w[0])).sqrt()).sum::<f64>();
    (dot(n, n).sqrt() > 1e-6 * size * size).then(|| unit(n)).flatten()
}

/// The direction across which points spread least: the covariance's least eigenvector, by
/// inverse iteration. The axial plane's when the points are too few.
fn least_spread(pts: &[V3]) -> V3 {
    let count = pts.len() as f64;
    if pts.len() < 3 {
        return [0.0, 0.0, 1.0];
    }
    let mean =
        pts.iter().fold([0.0; 3], |m, p| [m[0] + p[0] / count, m[1] + p[1] / count, m[2] + p[2] / count]);
    let mut c = [[0.0; 3]; 3];
    for p in pts {
        let d = sub(*p, mean);
        for (i, row) in c.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell += d[i] * d[j] / count;
            }
        }
    }
    // Inverse iteration: (covariance + a little)⁻¹ v, whose rate is the least spread over the
    // next (points in a plane: at once).
    let trace = c[0][0] + c[1][1] + c[2][2];
    let mut a = c;
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += 1e-9 * trace.max(1e-12);
    }
    let rows = [a[0], a[1], a[2]];
    let adj = [cross(rows[1], rows[2]), cross(rows[2], rows[0]), cross(rows[0], rows[1])];
    // The inverse's columns are the adjugate's rows over the determinant; only the direction
    // matters, so the determinant's size is left out (its sign too).
    let m = |v: V3| -> V3 { [0, 1, 2].map(|i| adj[0][i] * v[0] + adj[1][i] * v[1] + adj[2][i] * v[2]) };
    let spread =
        |v: V3| (0..3).map(|i| v[i] * (c[i][0] * v[0] + c[i][1] * v[1] + c[i][2] * v[2])).sum::<f64>();
    // From each axis and one askew (a start square to the answer never reaches it): the
    // direction found that the points spread least across.
    let starts = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.36, 0.48, 0.8]];
    let found = starts.into_iter().filter_map(|mut v| {
        for _ in 0..50 {
            v = unit(m(v))?;
        }
        Some(v)
    });
    found.min_by(|a, b| spread(*a).total_cmp(&spread(*b))).unwrap_or([0.0, 0.0, 1.0])
}

/// Points in the plane square to `n`, in that plane's coordinates, and which way the plane
/// faces (rounded, so that parallel planes share it; one way round for a plane and its
/// reverse). Its axes: x (or y, for a plane facing along x) made square to the normal, and the
/// one square to both: an axial plane's are the patient's x and y, a coronal plane's x and
/// feet-wards, a sagittal plane's y and feet-wards.
fn flatten(pts: &[V3], n: V3) -> (String, Vec<[f64; 2]>) {
    let first = n.iter().copied().find(|x| x.abs() > 1e-6).unwrap_or(1.0);
    let n = if first < 0.0 { [-n[0], -n[1], -n[2]] } else { n };
    let seed = if n[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
    let along = dot(seed, n);
    let u = unit(sub(seed, [n[0] * along, n[1] * along, n[2] * along])).unwrap_or([1.0, 0.0, 0.0]);
    // Down the screen: the patient's y on an axial plane, feet-wards on a coronal or a
    // sagittal one (as a planning system shows them, head up).
    let v = if n[0].abs() < 0.9 { cross(n, u) } else { cross(u, n) };
    let flat = pts.iter().map(|&p| [dot(p, u), dot(p, v)]).collect();
    // `+ 0.0`: minus zero is written as zero.
    let facing = format!("{:.1},{:.1},{:.1}", n[0] + 0.0, n[1] + 0.0, n[2] + 0.0);
    (facing, flat)
}

/// Each drawing as a frame: past [`MOST`], the rest drawn together in the last.
fn frames(mut drawings: Vec<(String, Drawing)>) -> Vec<(u32, Frame)> {
    if drawings.len() > MOST {
        let rest: Vec<_> = drawings.drain(MOST - 1..).flat_map(|(_, d)| d.lines).collect();
        drawings.push((String::new(), Drawing { lines: rest, space: Vec::new() }));
    }
    drawings.iter().enumerate().filter_map(|(i, (_, d))| Some((i as u32, draw(d)?))).collect()
}

/// A drawing scaled so its longer side is [`SIDE`] pixels, with a margin, black on white.
fn draw(d: &Drawing) -> Option<Frame> {
    let all = d.lines.iter().flat_map(|(l, _)| l.iter());
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in all {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]);
    if !span.is_finite() || span <= 0.0 {
        return None;
    }
    let scale = SIDE / span;
    let margin = 24.0;
    let w = ((hi[0] - lo[0]) * scale + 2.0 * margin).ceil() as u32;
    let h = ((hi[1] - lo[1]) * scale + 2.0 * margin).ceil() as u32;
    let mut pixels = vec![255u8; w as usize * h as usize];
    let at = |p: &[f64; 2]| {
        (((p[0] - lo[0]) * scale + margin).round() as i64, ((p[1] - lo[1]) * scale + margin).round() as i64)
    };
    for (line, closed) in &d.lines {
        match line.as_slice() {
            [] => {}
            [p] => segment(&mut pixels, w, h, at(p), at(p)),
            _ => {
                for pair in line.windows(2) {
                    segment(&mut pixels, w, h, at(&pair[0]), at(&pair[1]));
                }
                if *closed && line.len() > 2 {
                    segment(&mut pixels, w, h, at(&line[line.len() - 1]), at(&line[0]));
                    let corners: Vec<(i64, i64)> = line.iter().map(&at).collect();
                    fill(&mut pixels, w, h, &corners);
                }
            }
        }
    }
    Some(Frame::grey(Gray::new(w, h, pixels)))
}

/// A closed shape filled, as a planning system shows a block or a structure and a viewer a
/// polygon (even-odd, along each row): letters drawn as outlines of thin shapes read as solid.
fn fill(pixels: &mut [u8], w: u32, h: u32, corners: &[(i64, i64)]) {
    let (top, bottom) = corners.iter().fold((i64::MAX, i64::MIN), |(t, b), c| (t.min(c.1), b.max(c.1)));
    for y in top.max(0)..=bottom.min(i64::from(h) - 1) {
        let row = y as f64 + 0.5;
        let mut xs: Vec<f64> = Vec::new();
        for (i, &(x0, y0)) in corners.iter().enumerate() {
            let (x1, y1) = corners[(i + 1) % corners.len()];
            let (y0f, y1f) = (y0 as f64, y1 as f64);
            if (y0f <= row) != (y1f <= row) {
                xs.push(x0 as f64 + (row - y0f) * (x1 - x0) as f64 / (y1f - y0f));
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let from = pair[0].round().max(0.0) as usize;
            let to = (pair[1].round() as i64).min(i64::from(w) - 1);
            let start = y as usize * w as usize;
            for x in from..=to.max(0) as usize {
                if x < w as usize {
                    pixels[start + x] = 0;
                }
            }
        }
    }
}

/// A line from `a` to `b`, [`PEN`] pixels either side, in black.
fn segment(pixels: &mut [u8], w: u32, h: u32, a: (i64, i64), b: (i64, i64)) {
    let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).max(1);
    for s in 0..=steps {
        let x = a.0 + (b.0 - a.0) * s / steps;
        let y = a.1 + (b.1 - a.1) * s / steps;
        for dy in -PEN..=PEN {
            for dx in -PEN..=PEN {
                let (px, py) = (x + dx, y + dy);
                if px >= 0 && py >= 0 && px < i64::from(w) && py < i64::from(h) {
                    pixels[py as usize * w as usize + px as usize] = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    #[test]
    fn planes_are_drawn_head_up_as_a_planning_system_shows_them() {
        // A point right of and below another on the screen, in each plane.
        let (a, b) = ([0.0, 0.0, 0.0], [10.0, 5.0, 0.0]);
        let (facing, flat) = flatten(&[a, b], [0.0, 0.0, -1.0]);
        assert_eq!(facing, "0.0,0.0,1.0");
        assert!(near(flat[1], [10.0, 5.0]), "axial: {flat:?}");
        let (_, flat) = flatten(&[a, [10.0, 0.0, -5.0]], [0.0, -1.0, 0.0]);
        assert!(near(flat[1], [10.0, 5.0]), "coronal: {flat:?}");
        let (_, flat) = flatten(&[a, [0.0, 10.0, -5.0]], [1.0, 0.0, 0.0]);
        assert!(near(flat[1], [10.0, 5.0]), "sagittal: {flat:?}");
    }

    #[test]
    fn lines_are_drawn_in_the_plane_they_lie_in_together() {
        // Strokes in the plane y = x (oblique), in a row of three at different heights.
        let pts: Vec<V3> = (0..30).map(f64::from).map(|t| [t, t, (t * 7.0) % 11.0]).collect();
        let n = least_spread(&pts);
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert!((dot(n, [s, -s, 0.0]).abs() - 1.0).abs() < 1e-6, "{n:?}");
        // A contour with an area has its own normal; a line has none.
        assert!(normal(&[[0.0, 0.0, 1.0], [4.0, 0.0, 1.0], [4.0, 3.0, 1.0]]).is_some());
        assert!(normal(&[[0.0, 0.0, 1.0], [4.0, 0.0, 1.0]]).is_none());
    }
}

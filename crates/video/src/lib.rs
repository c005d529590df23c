//! vPDQ hashes of videos, decoded by Debian's `ffmpeg`.
//!
//! The one place the product runs an outside program. How a video is read:
//!
//! 1. The bytes go into an anonymous in-memory file (`memfd_create`), which
//!    becomes the child's standard input: ffmpeg can seek in it (MP4 files
//!    often keep their index at the end), and nothing is written to disk —
//!    the privacy rule of hash sharing (only hashes are kept).
//! 2. `ffprobe` reports the first video stream's size and frame rate; a
//!    frame over the size limit is refused before anything is decoded.
//! 3. `ffmpeg` decodes that stream and, as the reference (`vpdq-hash-video`)
//!    does, keeps frame `n` when `n mod ⌊seconds_per_hash × fps⌋ = 0` (every
//!    frame for 0), converts it to RGB and writes it as a PPM picture to a
//!    pipe; each picture is hashed with PDQ as it arrives and dropped.
//! 4. A watchdog ends ffmpeg after the time limit; more frames than the
//!    limit stop the decoding.
//!
//! A machine without ffmpeg gets [`VideoError::NoFfmpeg`], which says what to
//! install; images and file digests do not need it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use accord_hashes::{ImageLimits, MAX_VPDQ_FRAMES, VpdqFrame, pdq_of_rgb};
use thiserror::Error;

/// How videos are decoded.
#[derive(Debug, Clone)]
pub struct VideoOptions {
    /// The ffmpeg program; `ffprobe` is looked for beside it.
    pub ffmpeg: PathBuf,
    /// One frame hashed every this many seconds; 0 hashes every frame.
    pub seconds_per_hash: f64,
    /// Frame size limits (the image limits).
    pub limits: ImageLimits,
    /// The most frames hashed; a longer video is refused.
    pub max_frames: usize,
    /// How long decoding may take.
    pub timeout: Duration,
}

impl Default for VideoOptions {
    fn default() -> Self {
        Self {
            ffmpeg: PathBuf::from("ffmpeg"),
            // ThreatExchange's and HMA's rate.
            seconds_per_hash: 1.0,
            limits: ImageLimits::default(),
            max_frames: MAX_VPDQ_FRAMES,
            timeout: Duration::from_secs(300),
        }
    }
}

impl VideoOptions {
    fn ffprobe(&self) -> PathBuf {
        match self.ffmpeg.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("ffprobe"),
            _ => PathBuf::from("ffprobe"),
        }
    }
}

/// Why a video has no vPDQ hash.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum VideoError {
    #[error(
        "vPDQ needs ffmpeg, which is not installed here ({program} could not be run): install Debian's ffmpeg package (apt-get install ffmpeg) or set the path to ffmpeg in the configuration"
    )]
    NoFfmpeg { program: String },
    #[error("not a video ffmpeg can read: {detail}")]
    NotAVideo { detail: String },
    #[error(
        "the video's frames are {width} × {height} pixels, over the limit of {max_side} pixels a side and {max_pixels} pixels in all"
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error("the video has more than {max} frames to hash, over the limit")]
    TooLong { max: usize },
    #[error("decoding the video took longer than {seconds} s and was stopped")]
    TimedOut { seconds: u64 },
    #[error("the video is corrupt or truncated: {detail}")]
    Corrupt { detail: String },
    #[error("ffmpeg failed: {detail}")]
    Decoder { detail: String },
}

/// What ffprobe says of the first video stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamInfo {
    pub width: u32,
    pub height: u32,
    pub frames_per_second: f64,
}

/// Whether ffmpeg and ffprobe can be run.
pub fn ffmpeg_available(options: &VideoOptions) -> bool {
    [options.ffmpeg.clone(), options.ffprobe()].iter().all(|p| {
        Command::new(p)
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// The vPDQ frame hashes of a video held in memory (see the crate
/// description). Frames of every quality are returned; matching leaves out
/// the unreliable ones.
pub fn vpdq_of_video(bytes: &[u8], options: &VideoOptions) -> Result<Vec<VpdqFrame>, VideoError> {
    let deadline = Instant::now() + options.timeout;
    let info = probe_until(bytes, options, deadline)?;
    let limits = options.limits;
    let (w, h) = (info.width, info.height);
    if w > limits.max_side || h > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels
    {
        return Err(VideoError::TooLarge {
            width: w,
            height: h,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        });
    }
    let every = frame_step(options.seconds_per_hash, info.frames_per_second);
    let mut command = Command::new(&options.ffmpeg);
    command
        // -xerror: a damaged or truncated video is refused, not hashed in part.
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-xerror"])
        // One decoding thread: a server decodes uploads side by side (the
        // web layer bounds how many), each must not take every core.
        .args(["-threads", "1", "-filter_threads", "1"])
        .args(INPUT_ONLY)
        .args(["-i", "/dev/stdin"])
        .args(["-map", "0:v:0", "-an", "-sn", "-dn"])
        .args(["-vf", &format!("select='not(mod(n\\,{every}))'")])
        .args(["-fps_mode", "passthrough", "-pix_fmt", "rgb24"])
        .args(["-f", "image2pipe", "-c:v", "ppm", "pipe:1"]);
    let (child, stdout, errors) = Supervised::spawn(
        &mut command,
        in_memory_file(bytes)?,
        deadline,
        &options.ffmpeg,
    )?;

    let mut frames = Vec::new();
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut outcome = Ok(());
    loop {
        match read_ppm(&mut reader, limits) {
            Ok(None) => break,
            Ok(Some((width, height, rgb))) => {
                if frames.len() == options.max_frames {
                    outcome = Err(VideoError::TooLong {
                        max: options.max_frames,
                    });
                    break;
                }
                let n = frames.len() as u64 * every;
                let out = pdq_of_rgb(&rgb, width, height);
                frames.push(VpdqFrame {
                    frame: n as u32,
                    quality: out.quality,
                    hash: out.hash,
                    timestamp: n as f64 / info.frames_per_second,
                });
            }
            Err(detail) => {
                outcome = Err(VideoError::Decoder { detail });
                break;
            }
        }
    }
    if outcome.is_err() {
        child.kill();
    }
    let (status, timed_out) = child.wait();
    let stderr = errors.join().unwrap_or_default();
    if timed_out {
        return Err(VideoError::TimedOut {
            seconds: options.timeout.as_secs(),
        });
    }
    outcome?;
    match status {
        Some(s) if s.success() => {}
        _ => {
            return Err(VideoError::Corrupt {
                detail: last_line(&stderr),
            });
        }
    }
    if frames.is_empty() {
        return Err(VideoError::NotAVideo {
            detail: "it has no frames".into(),
        });
    }
    Ok(frames)
}

/// One frame every `⌊seconds_per_hash × fps⌋`, at least every frame (the
/// reference's `frameMod`).
fn frame_step(seconds_per_hash: f64, fps: f64) -> u64 {
    ((seconds_per_hash * fps).floor() as u64).max(1)
}

/// What ffmpeg and ffprobe may read: the in-memory file and nothing else
/// (no network, no other file a playlist or a concat list could name).
const INPUT_ONLY: [&str; 2] = ["-protocol_whitelist", "file"];

/// The first video stream's size and rate.
pub fn probe(bytes: &[u8], options: &VideoOptions) -> Result<StreamInfo, VideoError> {
    probe_until(bytes, options, Instant::now() + options.timeout)
}

fn probe_until(
    bytes: &[u8],
    options: &VideoOptions,
    deadline: Instant,
) -> Result<StreamInfo, VideoError> {
    let ffprobe = options.ffprobe();
    let mut command = Command::new(&ffprobe);
    command
        .args(["-v", "error", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=width,height,avg_frame_rate,r_frame_rate",
        ])
        .args(INPUT_ONLY)
        .args(["-of", "json", "-i", "/dev/stdin"]);
    let (child, stdout, errors) =
        Supervised::spawn(&mut command, in_memory_file(bytes)?, deadline, &ffprobe)?;
    let mut json = Vec::new();
    let _ = stdout.take(1 << 20).read_to_end(&mut json);
    let (status, timed_out) = child.wait();
    let stderr = errors.join().unwrap_or_default();
    if timed_out {
        return Err(VideoError::TimedOut {
            seconds: options.timeout.as_secs(),
        });
    }
    if !status.is_some_and(|s| s.success()) {
        return Err(VideoError::NotAVideo {
            detail: last_line(&stderr),
        });
    }
    parse_probe(&json)
}

#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
}

#[derive(serde::Deserialize)]
struct ProbeStream {
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
}

fn parse_probe(json: &[u8]) -> Result<StreamInfo, VideoError> {
    let probe: Probe = serde_json::from_slice(json).map_err(|e| VideoError::Decoder {
        detail: format!("ffprobe's answer: {e}"),
    })?;
    let stream = probe.streams.first().ok_or_else(|| VideoError::NotAVideo {
        detail: "it has no video stream".into(),
    })?;
    let (Some(width), Some(height)) = (stream.width, stream.height) else {
        return Err(VideoError::NotAVideo {
            detail: "its video stream has no frame size".into(),
        });
    };
    // The average rate, or the container's base rate when it is unknown,
    // as the reference does.
    let frames_per_second = [&stream.avg_frame_rate, &stream.r_frame_rate]
        .into_iter()
        .filter_map(|r| r.as_deref().and_then(parse_rate))
        .next()
        .ok_or_else(|| VideoError::NotAVideo {
            detail: "its video stream has no frame rate".into(),
        })?;
    Ok(StreamInfo {
        width,
        height,
        frames_per_second,
    })
}

/// `30000/1001` → 29.97; `0/0` → none.
fn parse_rate(rate: &str) -> Option<f64> {
    let (n, d) = rate.split_once('/').unwrap_or((rate, "1"));
    let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    let fps = n / d;
    (fps.is_finite() && fps > 0.0).then_some(fps)
}

/// Reads one binary PPM (`P6 width height 255`, then RGB bytes); `None` at
/// the end of the stream. A frame over the limits is an error rather than
/// an allocation.
fn read_ppm(
    reader: &mut impl BufRead,
    limits: ImageLimits,
) -> Result<Option<(usize, usize, Vec<u8>)>, String> {
    if reader.fill_buf().map_err(|e| e.to_string())?.is_empty() {
        return Ok(None);
    }
    let mut fields = [0u64; 3];
    let magic = header_token(reader)?;
    if magic != "P6" {
        return Err(format!("expected a PPM frame from ffmpeg, found {magic:?}"));
    }
    for field in &mut fields {
        *field = header_token(reader)?
            .parse()
            .map_err(|_| "a PPM frame header that is not a number".to_string())?;
    }
    let [width, height, max] = fields;
    if max != 255 {
        return Err(format!("a PPM frame with {max} levels, expected 255"));
    }
    if width == 0
        || height == 0
        || width > u64::from(limits.max_side)
        || height > u64::from(limits.max_side)
        || width * height > limits.max_pixels
    {
        return Err(format!("a frame of {width} × {height} pixels"));
    }
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    reader
        .read_exact(&mut rgb)
        .map_err(|e| format!("a frame cut short: {e}"))?;
    Ok(Some((width as usize, height as usize, rgb)))
}

/// A whitespace-separated header field; the single whitespace byte after it
/// is consumed, as the format says (so the pixels start right after).
fn header_token(reader: &mut impl BufRead) -> Result<String, String> {
    let mut token = String::new();
    let mut byte = [0u8; 1];
    loop {
        if reader.read(&mut byte).map_err(|e| e.to_string())? == 0 {
            return Err("a PPM frame header cut short".into());
        }
        let c = byte[0];
        if c.is_ascii_whitespace() {
            if token.is_empty() {
                continue;
            }
            return Ok(token);
        }
        if token.len() > 16 {
            return Err("a PPM frame header that is too long".into());
        }
        token.push(char::from(c));
    }
}

fn no_ffmpeg(program: &Path) -> VideoError {
    VideoError::NoFfmpeg {
        program: program.display().to_string(),
    }
}

fn last_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        // ffmpeg names the input; here that is always the in-memory file.
        .map(|l| l.strip_prefix("/dev/stdin: ").unwrap_or(l))
        .unwrap_or("ffmpeg stopped at an error in the data")
        .chars()
        .take(300)
        .collect()
}

/// The video as an anonymous in-memory file, positioned at its start.
#[cfg(target_os = "linux")]
fn in_memory_file(bytes: &[u8]) -> Result<std::fs::File, VideoError> {
    use std::io::{Seek, SeekFrom};
    use std::os::fd::FromRawFd;
    let failed = |e: std::io::Error| VideoError::Decoder {
        detail: format!("an in-memory file for the video: {e}"),
    };
    // SAFETY: memfd_create takes a NUL-terminated name and flags and returns
    // a new descriptor (or -1), which the File then owns.
    let fd = unsafe { libc::memfd_create(c"accord-video".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(failed(std::io::Error::last_os_error()));
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(bytes).map_err(failed)?;
    file.seek(SeekFrom::Start(0)).map_err(failed)?;
    Ok(file)
}

#[cfg(not(target_os = "linux"))]
fn in_memory_file(_bytes: &[u8]) -> Result<std::fs::File, VideoError> {
    Err(VideoError::Decoder {
        detail: "video hashing needs Linux (in-memory files)".into(),
    })
}

/// The most memory (address space) a decoder child may map. A frame at
/// the image limits is ~200 MB of RGB; ffmpeg's own buffers and libraries
/// come on top.
const CHILD_ADDRESS_SPACE: u64 = 2 << 30;
/// The most files a decoder child may hold open (its input, two pipes,
/// the libraries it loads at start).
const CHILD_OPEN_FILES: u64 = 64;

/// Kernel limits on a decoder child, set between fork and exec, so a
/// hostile video that finds a bug in a demuxer or decoder gets little:
/// - it can grow no file (`RLIMIT_FSIZE` 0: output goes to pipes, which
///   the limit does not cover) and dumps no core;
/// - it cannot map more than [`CHILD_ADDRESS_SPACE`] or open more than
///   [`CHILD_OPEN_FILES`];
/// - its CPU time ends with the deadline even if the watchdog thread were
///   late (`RLIMIT_CPU`: the kernel signals it, SIGXCPU, which ends it);
/// - it cannot gain privileges through set-uid programs (`no_new_privs`),
///   and it is killed when the thread that started it ends (`PDEATHSIG`,
///   best effort: a parent gone before the call is not noticed).
///
/// This is not a sandbox (no seccomp or namespaces; see docs/security.md),
/// but it contains what a sandbox would matter most for here.
#[cfg(target_os = "linux")]
fn confine(command: &mut Command, deadline: Instant) {
    use std::os::unix::process::CommandExt;
    let cpu_seconds = deadline
        .saturating_duration_since(Instant::now())
        .as_secs()
        .saturating_add(1);
    let limits = [
        (libc::RLIMIT_FSIZE, 0),
        (libc::RLIMIT_CORE, 0),
        (libc::RLIMIT_AS, CHILD_ADDRESS_SPACE),
        (libc::RLIMIT_NOFILE, CHILD_OPEN_FILES),
        (libc::RLIMIT_CPU, cpu_seconds),
    ];
    // SAFETY: between fork and exec only async-signal-safe calls are made
    // (setrlimit, prctl), with no allocation: `limits` is copied in.
    unsafe {
        command.pre_exec(move || {
            for (resource, value) in limits {
                let limit = libc::rlimit {
                    rlim_cur: value as libc::rlim_t,
                    rlim_max: value as libc::rlim_t,
                };
                if libc::setrlimit(resource, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn confine(_command: &mut Command, _deadline: Instant) {}

/// A child process under a deadline: a watchdog thread kills it when the
/// deadline passes, its standard error is collected on a thread of its own
/// (so a chatty child cannot block on a full pipe), and it is always reaped
/// (on drop too), so no zombie outlives a request.
struct Supervised {
    child: Arc<Mutex<Child>>,
    done: Arc<AtomicBool>,
    fired: Arc<AtomicBool>,
    watchdog: Option<std::thread::JoinHandle<()>>,
    reaped: bool,
}

impl Supervised {
    fn spawn(
        command: &mut Command,
        stdin: std::fs::File,
        deadline: Instant,
        program: &Path,
    ) -> Result<
        (
            Supervised,
            std::process::ChildStdout,
            std::thread::JoinHandle<String>,
        ),
        VideoError,
    > {
        confine(command, deadline);
        // Nothing of the server's environment (a database URL with its
        // password, FFREPORT which would make ffmpeg write a log): the
        // program path alone is looked up as before.
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut child = command
            .env_clear()
            .env("PATH", path)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    no_ffmpeg(program)
                }
                // The confinement could not be set up.
                _ => VideoError::Decoder {
                    detail: format!("{} could not be started: {e}", program.display()),
                },
            })?;
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let mut all = BufReader::new(stderr);
            let _ = (&mut all).take(64 * 1024).read_to_string(&mut text);
            // Drain the rest so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut all, &mut std::io::sink());
            text
        });
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let fired = Arc::new(AtomicBool::new(false));
        let (c, d, f) = (Arc::clone(&child), Arc::clone(&done), Arc::clone(&fired));
        let watchdog = std::thread::spawn(move || {
            while !d.load(Ordering::Acquire) {
                let now = Instant::now();
                if now >= deadline {
                    f.store(true, Ordering::Release);
                    let _ = c.lock().expect("not poisoned").kill();
                    return;
                }
                std::thread::park_timeout(deadline - now);
            }
        });
        let supervised = Supervised {
            child,
            done,
            fired,
            watchdog: Some(watchdog),
            reaped: false,
        };
        Ok((supervised, stdout, errors))
    }

    fn kill(&self) {
        let _ = self.child.lock().expect("not poisoned").kill();
    }

    /// Waits for the child's end (polling, so the watchdog can still take
    /// the lock and kill it); its status, and whether the deadline killed it.
    fn wait(mut self) -> (Option<std::process::ExitStatus>, bool) {
        let status = loop {
            match self.child.lock().expect("not poisoned").try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(_) => break None,
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        self.reaped = true;
        self.stop_watchdog();
        (status, self.fired.load(Ordering::Acquire))
    }

    fn stop_watchdog(&mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(w) = self.watchdog.take() {
            w.thread().unpark();
            let _ = w.join();
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if !self.reaped {
            let mut child = self.child.lock().expect("not poisoned");
            let _ = child.kill();
            let _ = child.wait();
        }
        self.stop_watchdog();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_decoder_child_runs_under_the_limits() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "ulimit -f; ulimit -c; ulimit -v; ulimit -n; grep -E '^NoNewPrivs' /proc/self/status",
        ]);
        let deadline = Instant::now() + Duration::from_secs(30);
        let (child, mut stdout, errors) = Supervised::spawn(
            &mut command,
            in_memory_file(b"").expect("memfd"),
            deadline,
            Path::new("sh"),
        )
        .expect("sh runs");
        let mut out = String::new();
        stdout.read_to_string(&mut out).expect("output");
        let (status, timed_out) = child.wait();
        assert!(
            !timed_out && status.is_some_and(|s| s.success()),
            "{}",
            errors.join().unwrap()
        );
        let lines: Vec<&str> = out.lines().collect();
        let kib = (CHILD_ADDRESS_SPACE / 1024).to_string();
        let files = CHILD_OPEN_FILES.to_string();
        assert_eq!(lines[..4], ["0", "0", kib.as_str(), files.as_str()]);
        assert_eq!(
            lines[4].split_whitespace().collect::<Vec<_>>(),
            ["NoNewPrivs:", "1"]
        );
    }

    #[test]
    fn the_frame_step_follows_the_reference() {
        assert_eq!(frame_step(1.0, 29.97), 29);
        assert_eq!(frame_step(1.0, 30.0), 30);
        assert_eq!(frame_step(0.0, 30.0), 1);
        assert_eq!(frame_step(1.0, 0.5), 1);
    }

    #[test]
    fn rates_parse_as_ffprobe_writes_them() {
        assert_eq!(parse_rate("30/1"), Some(30.0));
        assert!((parse_rate("30000/1001").unwrap() - 29.97).abs() < 0.01);
        assert_eq!(parse_rate("0/0"), None);
        assert_eq!(parse_rate("25"), Some(25.0));
    }

    #[test]
    fn a_probe_without_a_video_stream_is_not_a_video() {
        let err = parse_probe(br#"{"programs":[],"streams":[]}"#).unwrap_err();
        assert!(err.to_string().contains("no video stream"), "{err}");
        let info = parse_probe(
            br#"{"streams":[{"width":640,"height":360,"avg_frame_rate":"0/0","r_frame_rate":"25/1"}]}"#,
        )
        .unwrap();
        assert_eq!(info.frames_per_second, 25.0);
    }

    #[test]
    fn ppm_frames_are_read_one_after_another_and_oversized_ones_refused() {
        let mut stream = b"P6\n2 1\n255\n\x01\x02\x03\x04\x05\x06".to_vec();
        stream.extend_from_slice(b"P6\n1 1\n255\n\x07\x08\x09");
        let mut r = BufReader::new(&stream[..]);
        let limits = ImageLimits::default();
        let (w, h, rgb) = read_ppm(&mut r, limits).unwrap().unwrap();
        assert_eq!((w, h, rgb), (2, 1, vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(read_ppm(&mut r, limits).unwrap().unwrap().2, vec![7, 8, 9]);
        assert_eq!(read_ppm(&mut r, limits).unwrap(), None);

        let mut r = BufReader::new(&b"P6\n100000 100000\n255\n"[..]);
        assert!(read_ppm(&mut r, limits).unwrap_err().contains("100000"));
        let mut r = BufReader::new(&b"P6\n2 2\n255\n\x01\x02"[..]);
        assert!(read_ppm(&mut r, limits).unwrap_err().contains("cut short"));
    }
}

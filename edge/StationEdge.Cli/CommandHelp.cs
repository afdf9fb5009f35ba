using StationEdge.Cli.Commands;

namespace StationEdge.Cli;

/// <summary>What <c>station-edge COMMAND --help</c> prints: the command's flags, what it prints, and the exit codes.</summary>
internal static class CommandHelp
{
    private const string Models = "  --models DIR   the models folder (default out/models, or $STATIONEDGE_MODELS)";
    private const string Threads = "  --threads N    ONNX Runtime intra-op threads, 1 to 64 (default 2)";
    private const string Alignment = "  --alignment A  landmarks (faceplugin's fr_landmark, the default, as Vision:Alignment) or keypoints (BlazeFace's four)";
    private const string Json = "  --json         one JSON document on stdout instead of text";
    private const string Data = "  --data DIR     the data folder (default $STATIONEDGE_DATA, else /var/lib/station-edge); it must hold station.db";
    private const string By = "  --by NAME      who the change is recorded as in the audit log (default: the user who ran sudo, else the OS user)";
    private const string ExitCodes = "exit codes: 0 success, 2 bad input, 3 fault, 130 interrupted; each failure is one line on stderr";

    private static readonly Dictionary<string, string[]> Text = new(StringComparer.Ordinal)
    {
        ["run"] =
        [
            "usage: station-edge run [--camera SRC] [--gpio sim|libgpiod|libgpiod2|auto] [--for SECONDS] [--json] [--data DIR] [--config F] [--models DIR]",
            "The station daemon: the camera's newest frame → detect → the main face followed as a walk-up → quality gate → match;",
            "a grant opens the door and plays the greeting; every decision is recorded. Runs until SIGTERM or SIGINT (exit 0,",
            "the relay dropped first). Decisions, door and camera events and greetings are printed on stdout as they happen; logs go to stderr.",
            "The keeper's site runs in the same process on KeeperSite:Urls (default http://127.0.0.1:8080; KeeperSite:Enabled=false: none),",
            "and passes shown to the camera open the door (Passes:Enabled). A taken port stops the start: exit 3, the relay at rest.",
            "  --camera SRC   overrides Camera:Source: /dev/videoN, rtsp://…, a video file, a folder of photos, lavfi:GRAPH, rpicam",
            "  --gpio D       overrides Gpio:Driver (sim: the simulated chip, whose relay lines are printed too)",
            "  --for SECONDS  stop after this long (demos, tests)",
            StationCli.DataHelp, StationCli.ConfigHelp, Models,
            "  --json         one JSON object per line: {\"event\":\"granted\",\"method\":\"face\",\"worker_id\":…}, {\"event\":\"refused\",\"reason\":\"unknown\",…},",
            "                 a pass as the same events with \"method\":\"pass\",",
            "                 door events and relay lines as door-sim prints them, camera events, greetings, and a closing summary",
        ],
        ["enroll"] =
        [
            "usage: station-edge enroll --id ID --name NAME --photo P [--photo P2 …] [--consent-version V] [--consent station|county] [--valid-until DATE] [--allow-duplicate] [--data DIR] [--config F] [--models DIR] [--json]",
            "Enrols a worker: each photo must show one face that passes the quality gate (40 px between the eyes, facing the",
            "camera, lit, sharp), all photos one person, and the face must not be enrolled already as another worker.",
            "  --id ID              1–64 of A-Z a-z 0-9 . _ -",
            "  --name NAME          the worker's name",
            "  --photo P            a photo of the worker alone; repeat for more templates",
            "  --consent-version V  the version of the consent text the worker agreed to (default 1)",
            "  --consent SCOPE      where the worker agreed to be recognised: station (this station only, the default) or",
            "                       county (every station of the county: the templates roam, sealed, when the link has",
            "                       Sync:TemplateKeyFile)",
            "  --valid-until DATE   the last day the worker may enter, YYYY-MM-DD (default: no end)",
            "  --allow-duplicate    enrol even if the face matches another enrolled worker (twins)",
            StationCli.DataHelp, StationCli.ConfigHelp, Models, Json,
        ],
        ["identify"] =
        [
            "usage: station-edge identify --photo P [--photo P2 …] [--data DIR] [--config F] [--models DIR] [--json]",
            "Each photo against the enrolled workers by the rule the door uses, on one frame: main face, quality gate,",
            "match (threshold and margin), liveness, status, validity date, opening hours. A refusal is an answer (exit 0).",
            "  --photo P      a photo; repeat for more",
            StationCli.DataHelp, StationCli.ConfigHelp, Models,
            "  --json         per photo: photo, decision (granted|refused), worker_id (null when nobody matched), score, margin, reason; an array for several",
        ],
        ["detect"] =
        [
            "usage: station-edge detect --photo P [--liveness] [--models DIR] [--threads N] [--json]",
            "Every face in one photo: box, keypoints, detector score and quality (inter-eye distance, yaw, sharpness, brightness).",
            "  --photo P      a JPEG, PNG, WebP, BMP, GIF, TIFF or PPM file; - (or /dev/stdin) reads it from stdin, at most 128 MiB",
            "  --liveness     also score each face with the liveness model",
            Models, Threads, Json,
        ],
        ["eval"] =
        [
            "usage: station-edge eval --pairs CSV [--images DIR] [--liveness] [--alignment landmarks|keypoints] [--models DIR] [--threads N] [--json]",
            "1:1 verification over a pairs file: AUC, EER, TAR at FAR 1% and 0.1% with their thresholds, the share of",
            "same-person pairs the default threshold accepts, score distributions, and which threshold to set.",
            "  --pairs CSV    header left,right,same; same is 1 or 0; paths relative to the CSV's folder",
            "  --images DIR   read the pairs file's paths relative to DIR instead",
            "  --liveness     also report the share of genuine faces the liveness model calls fake",
            Alignment,
            Models, Threads, Json,
            "",
            "usage: station-edge eval --open-set (--photos DIR | --pairs CSV | --gallery CSV --probes CSV) [--enroll K] [--frames M]",
            "                         [--far F] [--threshold T] [--templates centroid|best] [--embedder faceplugin|mobilefacenet]",
            "                         [--no-mirror] [--margin M] [--liveness] [--learn [--workers even|odd] [--learn-max K] [--learn-move D]",
            "                         [--learn-clear-by C] [--learn-pass-floor F]] [--alignment landmarks|keypoints] [--models DIR] [--threads N] [--json]",
            "The door simulation: strangers let in and enrolled people refused at the station's rule, K and the gallery size,",
            "and the threshold for a stranger rate. Every person is once the stranger (leave-one-person-out).",
            "  --photos DIR   person/photo.jpg folders, or a folder with a pairs.csv",
            "  --gallery CSV  header photo,person: who is enrolled; --probes CSV the walk-ups (others are strangers)",
            "  --enroll K     photos enrolled per person, 1 to 50 (default 1)",
            "  --frames M     frames per walk-up, fused: the photo and M - 1 re-framed copies, 1 to 30 (default 1)",
            "  --far F        the stranger rate to find the threshold for (default 0.001)",
            "  --threshold T  a fixed threshold instead of the one calibrated from the gallery",
            "  --learn        the gallery that learns at the door, as a sequence: half the people are workers, each photo in",
            "                 order a walk-up, strangers interleaved; grants and pass-confirmed refusals (simulated) teach it;",
            "                 prints the refusals at each walk-up and the strangers let in (--json: refused_by_position,",
            "                 strangers_let_in, and how close the strangers came), beside the same sequence without learning;",
            "                 --workers odd makes the other half the workers; --learn-max, --learn-move, --learn-clear-by and",
            "                 --learn-pass-floor try other Access:LearnMaxTemplates, LearnMaxCentroidMove, LearnClearBy, LearnPassFloor",
            Alignment,
        ],
        ["match"] =
        [
            "usage: station-edge match --photos P... [--threshold T] [--margin M] [--models DIR] [--threads N] [--json]",
            "Who appears in more than one photo, by the open-set rule the door uses.",
            "  --photos P...  the photos, each file once",
            "  --threshold T  least cosine similarity for a match, 0 to 1 (default 0.55)",
            "  --margin M     least lead of the best match over the next person, 0 to 1 (default 0.05)",
            Models, Threads, Json,
        ],
        ["bench"] =
        [
            "usage: station-edge bench [--runs N] [--photos P...] [--soak SECONDS] [--alignment landmarks|keypoints] [--models DIR] [--json]",
            "Speed and memory on this machine: each stage on 1 and 2 threads, gallery search, one walk-up per embedder,",
            "and the station daemon itself on one core: frame → relay, walk-up → grant, CPU share, sustained frame rate, memory.",
            "  --runs N       timed runs per stage, 1 to 1000",
            "  --photos P...  the photos to time (default the demo photos in the models folder)",
            "  --soak SECONDS how long the daemon runs for its figures (default 60; 600 for the 10-minute memory figure)",
            Alignment,
            Models, Json,
        ],
        ["doctor"] =
        [
            "usage: station-edge doctor [--models DIR] [--config F] [--json]",
            "Checks that ONNX Runtime loads, every model's sha256, ffmpeg, the GPIO driver, the board and the configured",
            "door pins, and says how to fix what fails.",
            Models,
            "  --config F     the door configuration whose pins are checked (JSON); default: the built-in pin map",
            Json,
        ],
        ["door-sim"] =
        [
            "usage: station-edge door-sim [--config F]",
            "The door controller on a simulated chip with virtual time: a scenario as JSON lines on stdin",
            "({\"at_ms\":0,\"grant\":\"worker-17\"}, {\"at_ms\":1200,\"input\":\"door_contact\",\"level\":\"open\"}, …),",
            "every output change and door event as JSON lines on stdout.",
            "  --config F     the door configuration (JSON); default: the built-in defaults",
        ],
        ["door"] =
        [
            "usage: station-edge door --pulse|--rest [--gpio auto|libgpiod|libgpiod2|sim] [--config F]",
            "--pulse energises the door relay for one Door:PulseMs pulse on the configured chip, to check the wiring;",
            "--rest drives the relay to its rest (de-energised) level and exits (the systemd unit's ExecStopPost).",
            "Events as JSON lines.",
            "  --pulse        one relay pulse",
            "  --rest         the relay to its rest level",
            "  --gpio D       the GPIO driver, overriding the configuration's Gpio:Driver",
            "  --config F     the door configuration (JSON)",
        ],
        ["workers"] =
        [
            "usage: station-edge workers list [--search TEXT] | show ID | edit ID [--name NAME] [--valid-until DATE|none] [--consent station|county] | suspend ID | resume ID | delete ID [--by NAME] [--data DIR] [--json]",
            "list: every worker (id, name, status, valid until, templates, enrolled); --search TEXT keeps those whose name,",
            "member number or id contains TEXT, or whose phone contains its digits. show: one worker and their templates'",
            "quality figures and embedder (never the vectors). suspend, resume: the door refuses a suspended worker.",
            "delete: removes the worker, their templates and crops at once, and prints what it removed; their visits stay,",
            "under the worker id only. edit: the name, the validity date and the consent scope (station: this station only;",
            "county: every station of the county, a change the county hears of), as the keeper site's worker page changes them.",
            "Each change is written to the audit log. An unknown ID is exit 2.",
            "  --search TEXT  list only: filter by name, phone, member number or id",
            "  --name NAME    edit only: the worker's new name",
            "  --consent SCOPE  edit only: station or county",
            "  --valid-until DATE|none  edit only: the last day the worker may enter (YYYY-MM-DD), or none for no end",
            By, Data, Json,
        ],
        ["passes"] =
        [
            "usage: station-edge passes issue --worker ID | --visitor NAME [--days N] --out FILE | list | revoke ID [--by NAME] [--data DIR] [--json]",
            "The station's QR passes, as the keeper site's 通行码 page makes them. issue: a worker's pass (the worker enrolled,",
            "active and within their validity date) or a guest's (a name of 1 to 40 characters), valid for N days (1 to 366,",
            "default 1), its QR code written to FILE (0600) as PNG or SVG by the file's extension. list: every pass (id,",
            "holder, active/expired/revoked, expiry, issued by). revoke: the door refuses the pass from then on, the daemon",
            "too. Issue and revoke are written to the audit log (pass.issue, pass.revoke) with the change. Bad input is exit 2.",
            "  --worker ID    issue: the worker's pass",
            "  --visitor NAME issue: a guest's pass in their name",
            "  --days N       issue: how many days it is valid (default 1)",
            "  --out FILE     issue: where the QR code goes: FILE.png or FILE.svg",
            By, Data, Json,
        ],
        ["visits"] =
        [
            "usage: station-edge visits [--since ISO-TIME] [--limit N] [--data DIR] [--json]",
            "The recorded decisions, newest first: time (local, with the zone), who (name, or 陌生人/unknown), granted or",
            "refused, the reason and the score. --json prints one array of objects: id, seq, time (UTC), worker_id (null",
            "when unknown), decision, reason, method, score, margin, liveness.",
            "  --since T      only visits at or after T: 2026-12-01, 2026-12-01T08:00, 2026-12-01T08:00:00+08:00; without an offset, local time",
            "  --limit N      at most N visits, 1 to 100000 (default 100)",
            Data, Json,
        ],
        ["keeper"] =
        [
            "usage: station-edge keeper add --name NAME [--role keeper|admin] | list | cert [--host H...] [--data DIR]",
            "Keeper accounts for the keeper site (keepers.json in the data folder; there is no default account).",
            "add reads the password from stdin: typed twice, unseen, on a terminal; one line from a pipe. At least 8",
            "characters. The first keeper of a station is an administrator (may delete workers and manage keepers).",
            "cert writes keeper-site.pfx, a self-signed certificate for localhost, this machine's addresses and each",
            "--host, for an https:// address in KeeperSite:Urls, and prints its sha256 fingerprint.",
            "  --name NAME    1-32 letters, digits, spaces, '.', '_' or '-'",
            "  --role R       keeper (default) or admin",
            "  --host H       cert: another name or address the site is reached by",
            Data, Json,
        ],
        ["store"] =
        [
            "usage: station-edge store check|recover [--data DIR] [--json]",
            "check: integrity, schema version, row counts, the device key and every template's and crop's authentication;",
            "changes nothing and may run beside the daemon. Exit 0 healthy, 3 with the problems and what to do.",
            "recover: rebuilds a damaged station.db from every row SQLite can still read, keeping the damaged files untouched",
            "in broken-TIME/ in the data folder, and says what it kept. Refused while the daemon (or any command) has the",
            "store open: stop it first (systemctl stop station-edge).",
            Data, Json,
        ],
        ["reembed"] =
        [
            "usage: station-edge reembed [--alignment landmarks|keypoints] [--models DIR] [--threads N] [--by NAME] [--data DIR] [--json]",
            "After an embedder change: embeds every template of another embedder again, from its kept aligned crop",
            "(Store:KeepCrops), with the installed embedder. Interrupted, it carries on where it stopped when run again.",
            "The old templates are removed only when every worker has a new one; otherwise they are kept and the workers",
            "skipped are named with the reason (exit 3). Without kept crops the workers must be enrolled again.",
            "Progress on stderr. A crop kept under the other alignment is skipped: a crop is aligned already.",
            Alignment,
            Models, Threads, By, Data, Json,
        ],
    };

    public static bool TryGet(string command, out string usage)
    {
        usage = Text.TryGetValue(command, out var lines) ? string.Join(Environment.NewLine, [.. lines, ExitCodes]) : "";
        return lines is not null;
    }
}

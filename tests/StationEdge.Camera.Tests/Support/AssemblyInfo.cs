// Every test here runs real ffmpeg children, checks this process's children afterwards, and is sensitive to a second
// camera competing for two cores: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// ffmpeg children, /proc, signals and FIFOs: these tests are for Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

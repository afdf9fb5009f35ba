using System.Runtime.Versioning;

// The station runs on Linux; the site's hosts each take a camera (ffmpeg) and a port: one test class at a time.
[assembly: SupportedOSPlatform("linux")]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

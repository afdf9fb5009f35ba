using System.Runtime.Versioning;

// The station runs on Linux (a Raspberry Pi); file modes are checked as Linux sets them.
[assembly: SupportedOSPlatform("linux")]

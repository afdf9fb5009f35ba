// The CLI is Linux software (a Pi, Debian); its tests check Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

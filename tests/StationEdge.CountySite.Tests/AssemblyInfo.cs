using System.Runtime.Versioning;

// The county's server is Linux; each class starts its own PostgreSQL cluster and site: one class at a time on 2 cores.
[assembly: SupportedOSPlatform("linux")]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

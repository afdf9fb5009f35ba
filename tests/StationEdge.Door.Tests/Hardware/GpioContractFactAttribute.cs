using Xunit.Abstractions;
using Xunit.Sdk;

namespace StationEdge.Door.Tests.Hardware;

/// <summary>
/// A fact of the driver contract. The contract's facts are inherited by one test class per driver, so whether one
/// needs hardware depends on the class that runs it: in a class marked <c>[Trait("Category", "Hardware")]</c> the
/// fact is skipped (with the bench's reason) when there is no GPIO chip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("StationEdge.Door.Tests.Hardware.GpioContractFactDiscoverer", "StationEdge.Door.Tests")]
public sealed class GpioContractFactAttribute : FactAttribute;

public sealed class GpioContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var traits = testMethod.TestClass.Class.GetCustomAttributes(typeof(TraitAttribute))
            .Select(trait => trait.GetConstructorArguments().ToArray())
            .ToList();
        var hardware = traits.Any(args => args is ["Category", "Hardware"]);
        var reason = HardwareBench.SkipReason
            ?? (traits.Any(args => args is ["Driver", "libgpiod2"]) ? HardwareBench.Libgpiod2SkipReason : null);
        if (hardware && reason is not null)
        {
            return
            [
                new XunitSkippedDataRowTestCase(
                    DiagnosticMessageSink,
                    discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(),
                    testMethod,
                    reason),
            ];
        }

        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}

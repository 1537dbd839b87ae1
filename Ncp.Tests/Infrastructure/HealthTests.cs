using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure;

[Collection(OwnHostsCollection.Name)]
public sealed class HealthTests(NcpSystem ncp)
{
    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task Ready_names_postgresql_and_rabbitmq_and_reports_them_healthy(string process)
    {
        var client = process == "api" ? ncp.Api.CreateClient() : ncp.Worker.CreateClient();

        var report = await NcpSystem.EventuallyAsync(
            async () => (await client.GetAsync("/health/ready")).StatusCode, status => status == HttpStatusCode.OK);
        var body = await client.GetFromJsonAsync<JsonElement>("/health/ready");

        Assert.Equal(HttpStatusCode.OK, report);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task With_its_servers_down_the_api_names_them_and_answers_503_quickly()
    {
        var settings = ncp.ApiSettings;
        settings["ConnectionStrings:Postgres"] = $"Host=127.0.0.1;Port={ClosedPort()};Database=ncp;Username=ncp;Password=x";
        settings["RabbitMq:Port"] = ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var api = NcpSystem.Host<Ncp.Api.Program>(settings);
        var client = NcpSystem.ClientFor(api, "duty");

        var clock = Stopwatch.StartNew();
        using var ready = await client.GetAsync("/health/ready");
        var readyTook = clock.Elapsed;
        var checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", checks.GetProperty("postgresql").GetProperty("status").GetString());
        Assert.NotEqual("Healthy", checks.GetProperty("rabbitmq").GetProperty("status").GetString());
        Assert.True(readyTook < TimeSpan.FromSeconds(10), $"/health/ready took {readyTook}");

        clock.Restart();
        using var register = await client.PostAsJsonAsync("/api/items", ItemsApi.OutgoingRequest(subject: "While down"));
        var registerTook = clock.Elapsed;
        var problem = await register.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, register.StatusCode);
        Assert.Equal("postgresql", problem.GetProperty("dependency").GetString());
        Assert.True(registerTook < TimeSpan.FromSeconds(10), $"POST /api/items took {registerTook}");
    }

    [Fact]
    public async Task An_anonymous_health_answer_names_the_failing_servers_but_carries_none_of_their_errors()
    {
        var settings = ncp.ApiSettings;
        var postgresPort = ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rabbitPort = ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["ConnectionStrings:Postgres"] = $"Host=127.0.0.1;Port={postgresPort};Database=ncp;Username=ncp;Password=x";
        settings["RabbitMq:Port"] = rabbitPort;
        await using var api = NcpSystem.Host<Ncp.Api.Program>(settings);

        using var ready = await api.CreateClient().GetAsync("/health/ready");
        var body = await ready.Content.ReadAsStringAsync();
        var postgresql = JsonDocument.Parse(body).RootElement.GetProperty("checks").GetProperty("postgresql");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", postgresql.Str("status"));
        Assert.Equal("failed; the reason is in the process's log", postgresql.Str("description"));
        // Npgsql's and RabbitMQ's errors name the address they failed to reach.
        Assert.DoesNotContain(postgresPort, body, StringComparison.Ordinal);
        Assert.DoesNotContain(rabbitPort, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("connect", body, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A loopback port nobody listens on: the server is "down" the way a stopped one is.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

package dev.migwatch;

import dev.migwatch.source.ConfigException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Camel's embedded HTTP server only logs a warning when its port is taken and runs on without the API
 * and dashboard. Standalone, that is a start-up error: check the port before Camel tries it.
 */
final class HttpPortCheck extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent pc = main.getCamelContext().getPropertiesComponent();
        if (!"true".equalsIgnoreCase(pc.resolveProperty("camel.server.enabled").orElse("false"))) {
            return;
        }
        String host = pc.resolveProperty("camel.server.host").orElse("0.0.0.0");
        String port = pc.resolveProperty("camel.server.port").orElse("8080");
        int p;
        try {
            p = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("camel.server.port '" + port + "' is not a port number");
        }
        if (p == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, p));
        } catch (IOException e) {
            throw new ConfigException("The REST API and dashboard cannot listen on " + host + ":" + p + " (" + e.getMessage()
                    + "): stop the program using that port, or choose another with camel.server.port (e.g. -Dcamel.server.port=8081)");
        }
    }
}

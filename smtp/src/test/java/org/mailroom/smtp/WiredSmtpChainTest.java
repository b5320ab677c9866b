package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedList;

import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.WelcomeMessageHandler;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.metrics.MicrometerMetricFactory;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The wired chain answers each kind of handler as James's chain does, from a lookup made once. */
class WiredSmtpChainTest {

    @Test
    void handlersOfAKindAreTheChainsInOrderAndEachCallerGetsItsOwnList() throws Exception {
        WiredSmtpChain chain = new WiredSmtpChain(new MicrometerMetricFactory(new SimpleMeterRegistry()));
        CommandDispatcher<?> dispatcher = new CommandDispatcher<>();
        WelcomeMessageHandler welcome = new WelcomeMessageHandler();
        CommandHandlerResultLogger resultLogger = new CommandHandlerResultLogger();
        chain.add(dispatcher);
        chain.add(welcome);
        chain.add(new QuitCmdHandler(new MicrometerMetricFactory(new SimpleMeterRegistry())));
        chain.add(resultLogger);
        LinkedList<ConnectHandler> beforeWiring = chain.getHandlers(ConnectHandler.class);
        chain.wireExtensibleHandlers();

        assertThat(chain.getHandlers(ConnectHandler.class)).containsExactlyElementsOf(beforeWiring).contains(welcome);
        assertThat(chain.getHandlers(ProtocolHandlerResultHandler.class)).containsExactly(resultLogger);
        assertThat(chain.getHandlers(DisconnectHandler.class)).isEmpty();
        assertThat(chain.getFirstHandler(LineHandler.class)).containsSame(dispatcher);

        LinkedList<ConnectHandler> mine = chain.getHandlers(ConnectHandler.class);
        mine.clear();
        assertThat(chain.getHandlers(ConnectHandler.class)).as("a caller's change stays its own")
            .containsExactlyElementsOf(beforeWiring);
        assertThatThrownBy(() -> chain.add(new WelcomeMessageHandler())).as("James's wired chain is read-only")
            .isInstanceOf(UnsupportedOperationException.class);
    }
}

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What an operator does for a new integrator (kafka-acls.sh --add --operation Read --topic T):
 * Read on each topic by its exact name, nothing else. Run as a single source file on the
 * broker's classpath: java -cp 'libs/*' GrantRead.java BOOTSTRAP PRINCIPAL TOPIC...
 */
public class GrantRead {
    public static void main(String[] args) throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            acls.add(
                    new AclBinding(
                            new ResourcePattern(ResourceType.TOPIC, args[i], PatternType.LITERAL),
                            new AccessControlEntry(
                                    "User:" + args[1], "*", AclOperation.READ, AclPermissionType.ALLOW)));
        }
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", args[0]))) {
            admin.createAcls(acls).all().get();
        }
    }
}

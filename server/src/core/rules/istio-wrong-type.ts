import { wrongTypeRule } from './schema-rules';
import { SCHEMA_KINDS } from '../model/schema';

export default wrongTypeRule('istio', {
  id: 'istio-wrong-type',
  description: 'An Istio resource gives a field a value of the wrong type for its CRD schema (a string where a list is expected, a quoted number, a mapping for a string): the API server rejects the object.',
  kinds: SCHEMA_KINDS,
});

export {
  type Config,
  ConfigError,
  type EnvironmentName,
  environmentSchema,
  getConfig,
  initConfig,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  loadConfig,
  SETTING_NAMES,
} from "./config";

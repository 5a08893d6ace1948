import { describeNewcomer } from './newcomer.js'

describeNewcomer('5')
